/**
 * A node whose swarms hold as many peers as it has connections for still lets a new swarm's
 * peers in: libp2p refuses every inbound connection at `limits.maxConnections` and never
 * prunes one that carries a piece stream, so the node keeps its swarms' peers under
 * IDENTITIES.swarmConnectionShare of it, and the largest swarm gives up peers to a smaller one.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { IDENTITIES } from '../../src/config/defaults.js'
import { TestNodes } from '../helpers/nodes.js'
import { parsePrometheus } from '../helpers/prometheus.js'
import { MiB, fetchAndVerify, makeFile, swarmStatus, useTestContext, waitFor } from './helpers/context.js'
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
})
