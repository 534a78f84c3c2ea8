/**
 * `shoal start` against what a newcomer meets (issue 13, items 2 and 4): a second start on
 * the same data folder, a node killed with kill -9, and a port another process holds.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { tempDir } from '../helpers/temp.js'
import { STACK_LINE, ShoalProcess, explain, killAll, readText, runShoal, writeConfig } from './helpers/shoal-process.js'
import type { RunResult } from './helpers/shoal-process.js'
import type { AddressInfo, Server } from 'node:net'

/** Exit 1 with one line on stderr matching `message`, nothing of a stack trace or of libp2p's advice. */
function assertOneLineFailure (r: RunResult, message: RegExp): void {
  assert.equal(r.code, 1, explain(r))
  assert.match(r.stderr, message, explain(r))
  assert.equal(r.stderr.trim().split('\n').length, 1, `more than one line: ${explain(r)}`)
  assert.doesNotMatch(r.stdout + r.stderr, STACK_LINE, explain(r))
  assert.doesNotMatch(r.stdout + r.stderr, /faultTolerance|unexpected error/, explain(r))
}

/** A plain TCP server holding a port on 127.0.0.1, as another program would. */
async function holdPort (): Promise<{ port: number, server: Server }> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, server }
}

describe('e2e: shoal start', function () {
  this.timeout(60_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir('shoal-e2e-start-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  describe('one node per data folder', () => {
    it('a second start on the same config refuses with "already running (pid N)"; the first still answers and stops', async () => {
      const first = await ShoalProcess.create(join(dir.path, 'node'))
      const api = await readText(join(first.dataDir, 'api'))
      const second = await runShoal(['start', '--config', first.configPath], { timeoutMs: 30_000 })
      assertOneLineFailure(second, new RegExp(`already running \\(pid ${first.pid}\\) on data folder .*shoal stop --config`))
      assert.equal(await readText(join(first.dataDir, 'api')), api, 'the second start touched the first node\'s api file')
      assert.ok((await first.status()).peerId.length > 0)
      const stop = await first.shoal('stop')
      assert.equal(stop.code, 0, explain(stop))
      assert.deepEqual(await first.exited, { code: 0, signal: null }, first.stderr)
      assert.ok(!existsSync(join(first.dataDir, 'node.lock')), 'the lock was left behind after stop')
    })

    it('after kill -9, a new start on that folder takes the lock over (with a notice) and keeps the peer id', async () => {
      const first = await ShoalProcess.create(join(dir.path, 'node'))
      const { peerId } = await first.status()
      assert.ok(first.signal('SIGKILL'))
      await first.exited
      assert.ok(existsSync(join(first.dataDir, 'node.lock')), 'a killed node leaves its lock')
      const next = await ShoalProcess.start(first.configPath)
      assert.match(next.stderr, new RegExp(`taking over the lock .* node that is gone \\(pid ${first.pid}`), next.stderr)
      assert.equal((await next.status()).peerId, peerId)
      const stop = await next.shoal('stop')
      assert.equal(stop.code, 0, explain(stop))
    })

    it('stop then start at once: the folder is free again', async () => {
      const first = await ShoalProcess.create(join(dir.path, 'node'))
      assert.equal((await first.shoal('stop')).code, 0)
      const next = await ShoalProcess.start(first.configPath)
      assert.doesNotMatch(next.stderr, /taking over/, 'a cleanly stopped node left a lock behind')
    })
  })

  describe('a busy port', () => {
    it('a listen port held by another program: exit 1, one line naming the address and "listen" in the config', async () => {
      const { port, server } = await holdPort()
      try {
        const config = await writeConfig(join(dir.path, 'node'), { listen: [`/ip4/127.0.0.1/tcp/${port}`] })
        const r = await runShoal(['start', '--config', config], { timeoutMs: 30_000 })
        assertOneLineFailure(r, new RegExp(`/ip4/127\\.0\\.0\\.1/tcp/${port}.*in use.*IPFS.*"listen" in .*config\\.json.*port 0`))
        assert.ok(!existsSync(join(dir.path, 'node', 'data', 'node.lock')), 'a failed start left its lock behind')
      } finally {
        server.close()
      }
    })

    it('the control API\'s port held by another program: one line naming it and "api.port"', async () => {
      const { port, server } = await holdPort()
      try {
        const config = await writeConfig(join(dir.path, 'node'), { api: { host: '127.0.0.1', port } })
        const r = await runShoal(['start', '--config', config], { timeoutMs: 30_000 })
        assertOneLineFailure(r, new RegExp(`127\\.0\\.0\\.1:${port} for the control API.*in use.*"api\\.port" in .*config\\.json`))
        assert.ok(!existsSync(join(dir.path, 'node', 'data', 'node.lock')), 'a failed start left its lock behind')
      } finally {
        server.close()
      }
    })
  })
})
