/**
 * A get that finds nobody (issue 13 item 5): while it looks, the CLI shows what the node sees
 * (without a terminal, a line now and then); on the timeout it names the likely cause from
 * what the node saw: no peer at all (an empty bootstrap list, a bootstrap peer that cannot be
 * reached, a private swarm without its key), or peers of which none has the content.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { generateSwarmKey } from '../../src/index.js'
import { tempDir } from '../helpers/temp.js'
import { STACK_LINE, ShoalProcess, explain, killAll } from './helpers/shoal-process.js'
import type { RunResult } from './helpers/shoal-process.js'
import type { AddressInfo } from 'node:net'

/** A CIDv1 (raw, sha2-256) that no node has: a valid id of unknown content. */
const UNKNOWN_CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
/** A valid peer id that no node here has. */
const NOBODY = '12D3KooWC73p6PaabQiSWrC2hyipNvpo1K4ByNCy74iXp2gm1EoL'
/** The CLI's status lines while it searches, without a terminal. */
const LOOKING = /^looking for bafkreigh2ak…a4s52zy \((\d+) s\): (.*)$/gm

/** A loopback port nothing listens on (it was free a moment ago). */
async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise(resolve => server.close(resolve))
  return port
}

/** Failed cleanly within a few seconds of its timeout, saying `cause`; returns the status lines shown meanwhile. */
function assertExplained (r: RunResult, cause: RegExp, tookMs: number, timeoutMs: number): string[] {
  assert.equal(r.code, 1, explain(r))
  assert.match(r.stderr, /no peer with content bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy was found within \d+ s/, explain(r))
  assert.match(r.stderr, cause, explain(r))
  assert.doesNotMatch(r.stderr, STACK_LINE, explain(r))
  assert.ok(tookMs < timeoutMs + 15_000, `took ${tookMs} ms to give up after ${timeoutMs} ms`)
  const lines = [...r.stderr.matchAll(LOOKING)].map(m => m[0])
  assert.ok(lines.length >= 1, `no status line while searching: ${explain(r)}`)
  return lines
}

describe('e2e: a get that finds nobody says what it sees and why', function () {
  this.timeout(90_000)
  let dir: { path: string, cleanup: () => Promise<void> }

  beforeEach(async () => { dir = await tempDir('shoal-e2e-search-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  async function timedGet (node: ShoalProcess, timeout: string): Promise<{ r: RunResult, ms: number }> {
    const started = Date.now()
    const r = await node.shoal('get', UNKNOWN_CID, '--timeout', timeout, '--output', join(dir.path, 'out'))
    return { r, ms: Date.now() - started }
  }

  it('with an empty bootstrap list: not connected to any peer, and how to add one', async () => {
    const node = await ShoalProcess.create(join(dir.path, 'alone'))
    const { r, ms } = await timedGet(node, '3s')
    const lines = assertExplained(r, /not connected to any peer, and the bootstrap list is empty: add a peer with `shoal start --bootstrap ADDR`, or under "bootstrap" in .*config\.json/, ms, 3000)
    assert.match(lines[0], /no connections, no bootstrap peers/)
  })

  it('with a bootstrap peer that cannot be reached: names it, counts the failed dials, mentions the swarm key', async () => {
    const address = `/ip4/127.0.0.1/tcp/${await closedPort()}/p2p/${NOBODY}`
    const node = await ShoalProcess.create(join(dir.path, 'cut-off'), { bootstrap: [address] })
    const { r, ms } = await timedGet(node, '3s')
    assertExplained(r, new RegExp(`not connected to any peer: the bootstrap peer ${address} could not be reached \\(\\d+ dials? failed: connection refused\\), or this is a private swarm and this node lacks its key \\(swarmKey\\)`), ms, 3000)
  })

  it('connected to a seeder without the content: none has it; status lines every few seconds meanwhile', async () => {
    const seeder = await ShoalProcess.create(join(dir.path, 'seeder'))
    const leecher = await ShoalProcess.create(join(dir.path, 'leecher'), { bootstrap: [(await seeder.status()).addresses[0]] })
    const { r, ms } = await timedGet(leecher, '8s')
    const lines = assertExplained(r, new RegExp(`connected to 1 peer, none has ${UNKNOWN_CID}: check the content id, or that a node holding it is online`), ms, 8000)
    // one after a second, then one about every 5 s: not one a second
    assert.ok(lines.length >= 2 && lines.length <= 3, `status lines: ${lines.join(' | ')}`)
    assert.match(lines.at(-1) ?? '', /1 connection, asked 1 peer: 1 don't have it$/)
  })

  it('without the key of the private swarm its bootstrap peer is in: says the encryption failed and names swarmKey', async () => {
    const keyFile = join(dir.path, 'swarm.key')
    await writeFile(keyFile, generateSwarmKey(), { mode: 0o600 })
    const member = await ShoalProcess.create(join(dir.path, 'member'), { swarmKey: keyFile })
    const outsider = await ShoalProcess.create(join(dir.path, 'outsider'), { bootstrap: [(await member.status()).addresses[0]] })
    // a refused private-swarm handshake can take seconds to fail on a busy machine: time enough for one
    const { r, ms } = await timedGet(outsider, '12s')
    assertExplained(r, /not connected to any peer: the bootstrap peer \S+ answered, but the connection's encryption failed: this is a private swarm and this node lacks its key \(swarmKey\)/, ms, 12_000)
  })
})
