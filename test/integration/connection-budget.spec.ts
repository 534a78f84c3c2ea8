/**
 * A node whose swarms hold as many peers as it has connections for still lets a new swarm's
 * peers in: libp2p refuses every inbound connection at `limits.maxConnections` and never
 * prunes one that carries a piece stream, so the node keeps its swarms' peers under
 * IDENTITIES.swarmConnectionShare of it, and the largest swarm gives up peers to a smaller one;
 * and the connections it hangs up on for room stay closed (the DHT keeps none alive).
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { IDENTITIES } from '../../src/config/defaults.js'
import { peerIdFromString } from '@libp2p/peer-id'
import { KEEP_ALIVE } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { TestNodes } from '../helpers/nodes.js'
import { parsePrometheus } from '../helpers/prometheus.js'
import { MiB, fetchAndVerify, makeFile, swarmStatus, useTestContext, waitFor, waitForConnections } from './helpers/context.js'
import type { ShoalNode } from '../../src/index.js'

const MAX_CONNECTIONS = 12
const BUDGET = Math.floor(MAX_CONNECTIONS * IDENTITIES.swarmConnectionShare)
/** Leechers of the big content: enough to fill the seeder's budget. */
const BIG_LEECHERS = BUDGET
/** Leechers of the small content, more than the connections left beside the big swarm. */
const SMALL_LEECHERS = MAX_CONNECTIONS - BUDGET + 1

describe('integration: the node-wide budget of swarm peers', function () {
  this.timeout(120_000)
  const ctx = useTestContext('connection-budget')

  it(`a seeder whose big swarm fills its ${MAX_CONNECTIONS} connections still serves a small swarm's ${SMALL_LEECHERS} newcomers`, async function () {
    const big = await makeFile(join(ctx.dir, 'src'), 'big.bin', 2 * MiB)
    const small = await makeFile(join(ctx.dir, 'src'), 'small.bin', 256 * 1024)
    // slow enough that the big swarm is still downloading when the small one's peers come
    const seeder = await ctx.nodes.start('seeder', {
      limits: { maxConnections: MAX_CONNECTIONS, maxConnectionsPerAddress: 100, uploadRate: 256 * 1024 }
    })
    const bigId = (await seeder.add(big)).contentId
    const smallId = (await seeder.add(small)).contentId
    const bootstrap = [TestNodes.address(seeder)]

    const bigLeechers: ShoalNode[] = []
    for (let i = 0; i < BIG_LEECHERS; i++) bigLeechers.push(await ctx.nodes.start(`big-${i}`, { bootstrap }))
    const bigDone = bigLeechers.map(async (node, i) => await fetchAndVerify(node, bigId, join(ctx.dir, `big-${i}`, 'big.bin'), big))
    await waitFor(() => swarmStatus(seeder, bigId).peers >= BUDGET, `the big swarm holds ${BUDGET} peers at the seeder`, 30_000)
    assert.equal(swarmStatus(seeder, bigId).state, 'seeding')

    const smallLeechers: ShoalNode[] = []
    for (let i = 0; i < SMALL_LEECHERS; i++) smallLeechers.push(await ctx.nodes.start(`small-${i}`, { bootstrap }))
    // the seeder is the small content's only source: every one of them must have got in
    await Promise.all(smallLeechers.map(async (node, i) => await fetchAndVerify(node, smallId, join(ctx.dir, `small-${i}`, 'small.bin'), small, { discoveryTimeout: 60_000 })))
    const peers = swarmStatus(seeder, bigId).peers
    assert.ok(peers <= BUDGET - 1, `the big swarm gave up peers for the small one: it holds ${peers}`)
    // what an operator sees of it
    const metrics = parsePrometheus(await seeder.metrics())
    assert.ok((metrics.get('shoal_peers_dropped_for_room_total') ?? 0) >= SMALL_LEECHERS - 1, 'the drops are counted')
    assert.ok((metrics.get('shoal_connections_closed_for_room_total') ?? 0) >= 1, 'the hang-ups are counted')
    // and the big swarm still completes, its leechers trading among themselves and with the seeder
    await Promise.all(bigDone)
  })

  // kad-dht tags its closest peers KEEP_ALIVE, and libp2p redials those whenever a connection
  // closes: the hang-ups that make room would be undone at once, by both sides
  it('a DHT peer hung up on is not dialed straight back', async function () {
    const a = await ctx.nodes.start('a')
    const b = await ctx.nodes.start('b')
    await a.libp2p.dial(multiaddr(TestNodes.address(b)))
    await waitForConnections(a, [b.peerId])
    const tagsOf = async (node: ShoalNode, peer: string): Promise<string[]> => [...(await node.libp2p.peerStore.get(peerIdFromString(peer))).tags.keys()]
    // the DHT's closest-peer tagger runs every 5 s
    await waitFor(async () => (await tagsOf(a, b.peerId)).includes('kad-close') && (await tagsOf(b, a.peerId)).includes('kad-close'), 'each is among the other\'s closest DHT peers', 20_000, 250)
    for (const [node, peer] of [[a, b.peerId], [b, a.peerId]] as const) {
      assert.deepEqual((await tagsOf(node, peer)).filter(tag => tag.startsWith(KEEP_ALIVE)), [], `${node.peerId} keeps ${peer} alive`)
    }
    await a.libp2p.hangUp(peerIdFromString(b.peerId))
    await new Promise(resolve => setTimeout(resolve, 2000))
    assert.equal(a.libp2p.getConnections(peerIdFromString(b.peerId)).length, 0, 'dialed straight back')
  })
})
