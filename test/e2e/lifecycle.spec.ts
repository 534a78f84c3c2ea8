import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../helpers/temp.js'
import { ShoalProcess, explain, killAll, modeOf, readText, runShoal, writeConfig } from './helpers/shoal-process.js'

const API_FILES = ['api', 'api.token']

describe('e2e: a shoal node\'s lifecycle', function () {
  this.timeout(40_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let config: string

  beforeEach(async () => {
    dir = await tempDir('shoal-e2e-life-')
    config = await writeConfig(join(dir.path, 'node'))
  })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  function assertApiFilesGone (node: ShoalProcess): void {
    for (const f of API_FILES) assert.ok(!existsSync(join(node.dataDir, f)), `${f} left behind in dataDir after shutdown`)
  }

  /** `shoal stop`: the command and the node's process both exit 0, the API files are gone. */
  async function stopNode (node: ShoalProcess): Promise<void> {
    const r = await node.shoal('stop')
    assert.equal(r.code, 0, `stop: ${explain(r)}`)
    const exit = await node.exited
    assert.deepEqual(exit, { code: 0, signal: null }, `node exited with ${JSON.stringify(exit)}:\n${node.stderr}`)
    assertApiFilesGone(node)
  }

  it('stop makes the node exit 0 and removes the api files', async () => {
    const node = await ShoalProcess.start(config)
    for (const f of API_FILES) assert.ok(existsSync(join(node.dataDir, f)), `start wrote no ${f}`)
    await stopNode(node)
    const r = await node.shoal('status')
    assert.notEqual(r.code, 0, `status answered after stop: ${explain(r)}`)
  })

  it('the peer id survives a restart', async () => {
    const first = await ShoalProcess.start(config)
    const { peerId } = await first.status()
    assert.ok(first.stdout.includes(peerId), `start did not print its peer id:\n${first.stdout}`)
    await stopNode(first)
    const second = await ShoalProcess.start(config)
    assert.equal((await second.status()).peerId, peerId)
  })

  it('SIGTERM shuts the node down cleanly with exit code 0', async () => {
    const node = await ShoalProcess.start(config)
    assert.match(node.stdout, /^ready$/m, `start did not print ready:\n${node.stdout}`)
    node.signal('SIGTERM')
    const exit = await Promise.race([
      node.exited,
      new Promise(resolve => setTimeout(() => { resolve('still running 15 s after SIGTERM') }, 15_000))
    ])
    assert.deepEqual(exit, { code: 0, signal: null }, `after SIGTERM: ${JSON.stringify(exit)}\n${node.stderr}`)
    assertApiFilesGone(node)
  })

  it('keeps the identity and the API token in dataDir with mode 0600', async () => {
    const node = await ShoalProcess.start(config)
    for (const f of ['identity.key', 'api.token']) {
      assert.equal((await modeOf(join(node.dataDir, f))).toString(8), '600', `${f} mode`)
    }
  })

  it('the control API refuses requests without the right token', async () => {
    const node = await ShoalProcess.start(config)
    const url = new URL('/v1/status', (await readText(join(node.dataDir, 'api'))).trim())
    const token = (await readText(join(node.dataDir, 'api.token'))).trim()
    assert.equal((await fetch(url)).status, 401, 'no Authorization header')
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer not-the-token' } })).status, 401, 'wrong token')
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${token}x` } })).status, 401, 'token with a suffix')
    const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(ok.status, 200, 'the right token is accepted (the URL and header form are right)')
    assert.equal(((await ok.json()) as { peerId: string }).peerId, (await node.status()).peerId)
  })

  it('a node in a private swarm prints its key fingerprint, not the key', async () => {
    const keyFile = join(dir.path, 'swarm.key')
    const gen = await runShoal(['swarm-key', 'generate', '--output', keyFile])
    assert.equal(gen.code, 0, explain(gen))
    const node = await ShoalProcess.create(join(dir.path, 'private'), { swarmKey: keyFile })
    const match = /fingerprint:?\s+([0-9a-f]{8,})/i.exec(node.stdout)
    assert.ok(match !== null, `no key fingerprint printed:\n${node.stdout}`)
    const secret = (await readText(keyFile)).trim().split('\n')[2]
    assert.ok(!node.stdout.includes(secret) && !node.stderr.includes(secret), 'start printed the swarm key itself')
    assert.ok(!secret.toLowerCase().includes(match[1].toLowerCase()), 'the fingerprint is a piece of the key')
  })
})
