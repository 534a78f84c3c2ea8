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

  it('bad input is a one-line error and a failing exit', async () => {
    await assert.rejects(run(process.execPath, [SIMULATE, '--peers', 'many']), (err: { code: number, stderr: string }) => {
      assert.equal(err.code, 1)
      assert.equal(err.stderr.trim(), 'simulate: --peers must be a positive whole number, not "many"')
      return true
    })
    await assert.rejects(run(process.execPath, [SIMULATE, '--scenario', 'stampede']), (err: { stderr: string }) => {
      assert.match(err.stderr.trim(), /^simulate: unknown scenario "stampede": one of flash-crowd, churn, heterogeneous$/)
      return true
    })
  })
})
