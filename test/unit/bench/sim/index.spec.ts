import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const SIMULATE = fileURLToPath(new URL('../../../../bench/sim/index.js', import.meta.url))

describe('bench/sim/index (npm run simulate)', () => {
  it('with --json the last stdout line holds every scenario with the agreed fields', async function () {
    this.timeout(60_000)
    const { stdout } = await run(process.execPath, [SIMULATE, '--peers', '6', '--size-mib', '8', '--json'])
    const lines = stdout.trim().split('\n')
    const { scenarios } = JSON.parse(lines[lines.length - 1])
    assert.deepEqual(scenarios.map((s: { scenario: string }) => s.scenario), ['flash-crowd', 'churn', 'heterogeneous'])
    for (const s of scenarios) {
      for (const field of ['peers', 'boundSeconds', 'lastSeconds', 'meanSeconds', 'ratio', 'seederCopies', 'wastedBytes', 'availability']) {
        assert.ok(field in s, `${s.scenario} lacks ${field}`)
      }
      assert.equal(s.peers, 6)
      assert.ok(Math.abs(s.ratio - s.lastSeconds / s.boundSeconds) < 0.01, `${s.scenario}: ratio ${s.ratio}`)
    }
  })

  it('runs side by side on threads with the same figures as one after the other, in the same order', async function () {
    this.timeout(60_000)
    const figures = async (threads: string): Promise<unknown> => {
      const { stdout } = await run(process.execPath, [SIMULATE, '--peers', '5,7', '--size-mib', '4', '--threads', threads, '--json'])
      const lines = stdout.trim().split('\n')
      const { scenarios } = JSON.parse(lines[lines.length - 1])
      assert.equal(lines.length, 7, 'a row per run, then the JSON')
      return scenarios.map((s: { wallSeconds?: number }) => ({ ...s, wallSeconds: undefined }))
    }
    const [alone, sideBySide] = await Promise.all([figures('1'), figures('3')])
    assert.deepEqual(sideBySide, alone)
    assert.deepEqual((alone as Array<{ scenario: string, peers: number }>).map(s => `${s.scenario} ${s.peers}`),
      ['flash-crowd 5', 'churn 5', 'heterogeneous 5', 'flash-crowd 7', 'churn 7', 'heterogeneous 7'])
  })

  it('bad input is a one-line error and a failing exit', async () => {
    await assert.rejects(run(process.execPath, [SIMULATE, '--peers', 'many']), (err: { code: number, stderr: string }) => {
      assert.equal(err.code, 1)
      assert.equal(err.stderr.trim(), 'simulate: --peers must be a positive whole number, not "many"')
      return true
    })
    await assert.rejects(run(process.execPath, [SIMULATE, '--threads', '0']), (err: { stderr: string }) => {
      assert.equal(err.stderr.trim(), 'simulate: --threads must be a positive whole number, not "0"')
      return true
    })
    await assert.rejects(run(process.execPath, [SIMULATE, '--scenario', 'stampede']), (err: { stderr: string }) => {
      assert.match(err.stderr.trim(), /^simulate: unknown scenario "stampede": one of flash-crowd, churn, heterogeneous$/)
      return true
    })
  })
})
