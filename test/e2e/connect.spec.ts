/**
 * Connecting by hand (issue 13, item 6): `shoal connect ADDR` on a running node and
 * `shoal start --bootstrap ADDR`, between nodes whose configs name no bootstrap peer.
 * The second node listens on the wildcard address, so the first's loopback address is
 * dialled only because the user gave it.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { STACK_LINE, ShoalProcess, explain, killAll, runShoal, sha256, writeConfig } from './helpers/shoal-process.js'
import type { RunResult } from './helpers/shoal-process.js'

const WILDCARD = { listen: ['/ip4/0.0.0.0/tcp/0'] }
/** A valid peer id that no node here has. */
const STRANGER = '12D3KooWGRUVh8QbFNJ4XvdcXGbBJ2hNbUiZ5eS5nSkVY2LLxr8R'

function assertOneLine (r: RunResult, code: number, message: RegExp): void {
  assert.equal(r.code, code, explain(r))
  assert.match(r.stderr, message, explain(r))
  assert.doesNotMatch(r.stdout + r.stderr, STACK_LINE, explain(r))
  assert.doesNotMatch(r.stdout + r.stderr, /unexpected error/, explain(r))
}

describe('e2e: connecting by hand', function () {
  this.timeout(90_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let first: ShoalProcess
  let address: string
  let contentId: string
  let source: string

  beforeEach(async () => {
    dir = await tempDir('shoal-e2e-connect-')
    source = join(dir.path, 'file.bin')
    await randomFile(source, 3 * 1024 * 1024)
    first = await ShoalProcess.create(join(dir.path, 'first'))
    contentId = await first.add(source)
    address = (await first.status()).addresses[0]
  })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  async function getsTheContent (node: ShoalProcess): Promise<void> {
    const output = join(dir.path, 'out.bin')
    const r = await node.shoal('get', contentId, '--output', output, '--timeout', '30s')
    assert.equal(r.code, 0, explain(r))
    assert.equal(await sha256(output), await sha256(source))
  }

  it('shoal connect ADDR: "connected to <peer> at <address>", then get by id alone works', async () => {
    const second = await ShoalProcess.create(join(dir.path, 'second'), WILDCARD)
    assert.equal((await second.status() as unknown as { connections: number }).connections, 0, 'the nodes found each other without help')
    const r = await second.shoal('connect', address)
    assert.equal(r.code, 0, explain(r))
    const peerId = address.slice(address.lastIndexOf('/') + 1)
    assert.match(r.stdout, new RegExp(`^connected to ${peerId} at /ip4/127\\.0\\.0\\.1/tcp/\\d+`, 'm'), explain(r))
    await getsTheContent(second)
  })

  it('shoal start --bootstrap ADDR: the node connects to it, and get by id alone works', async () => {
    const second = await ShoalProcess.start(await writeConfig(join(dir.path, 'second'), WILDCARD), { args: ['--bootstrap', address] })
    await getsTheContent(second)
  })

  it('bad addresses: a usage error (exit 2) for what is no peer address, exit 1 saying why for an unreachable one', async () => {
    const second = await ShoalProcess.create(join(dir.path, 'second'), WILDCARD)
    assertOneLine(await second.shoal('connect', '127.0.0.1:4100'), 2, /"127\.0\.0\.1:4100" is not a multiaddr/)
    assertOneLine(await second.shoal('connect', '/ip4/127.0.0.1/tcp/4100'), 2, /does not end in \/p2p\/<peer id>/)
    assertOneLine(await second.shoal('connect', `/ip4/127.0.0.1/tcp/1/p2p/${STRANGER}`), 1, /cannot connect to .*connection refused/)
    const wrongPeer = `${address.slice(0, address.lastIndexOf('/p2p/'))}/p2p/${STRANGER}`
    assertOneLine(await second.shoal('connect', wrongPeer), 1, new RegExp(`the peer at that address is not ${STRANGER}`))
    const config = await writeConfig(join(dir.path, 'third'), WILDCARD)
    assertOneLine(await runShoal(['start', '--config', config, '--bootstrap', '/ip4/127.0.0.1/tcp/4100'], { timeoutMs: 30_000 }), 2, /--bootstrap: "\/ip4\/127\.0\.0\.1\/tcp\/4100" does not end in \/p2p\//)
  })

  it('a node outside the private swarm is refused in the handshake, and connect says so', async () => {
    const keyFile = join(dir.path, 'swarm.key')
    const key = await runShoal(['swarm-key', 'generate', '--output', keyFile])
    assert.equal(key.code, 0, explain(key))
    const member = await ShoalProcess.create(join(dir.path, 'member'), { swarmKey: keyFile })
    const r = await member.shoal('connect', address)
    assertOneLine(r, 1, /cannot connect to .*(private swarm)/)
  })
})
