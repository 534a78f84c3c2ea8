/**
 * A peer that stops reading must not hold a seeder (issue 12, item 4). Two swarms side by
 * side, each a `shoal start` seeder process (so that its own RSS can be read) with the same
 * content and upload cap, and four honest leechers in this process: a clean swarm, and one
 * whose seeder seven non-readers reached first (each asks for pieces, never reads again and
 * floods requests). The honest leechers of the second finish within 1.5x the first, and its
 * seeder's resident memory stays within a stated bound of the clean seeder's.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { HostilePeer, stopReading } from '../kit/hostile/index.js'
import { ShoalProcess, killAll } from '../e2e/helpers/shoal-process.js'
import { MiB, fetchAndVerify, makeFile, useTestContext, waitForConnections } from './helpers/context.js'
import type { NonReading } from '../kit/hostile/index.js'
import type { ShoalNode } from '../../src/index.js'

const SIZE = 32 * MiB
/** 512 pieces: more than a peer may queue (limits.maxQueuedRequestsPerPeer, 256), so a flood of requests is refused, not queued. */
const PIECE_SIZE = 64 * 1024
/** Each seeder's upload cap: the time of a run is set by it more than by this machine's load. */
const SEED_RATE = 8 * MiB
const NON_READERS = 7
const LEECHERS = 4
/** Requests a second each non-reader sends once it has stopped reading. */
const FLOOD_PER_SECOND = 5000
/** How long the non-readers hold the seeder before the honest leechers come (the attack in place). */
const SETTLE_MS = 10_000
/** From this far into the attack the seeder holds all it will for the non-readers: its RSS must stop growing. */
const HELD_BY_MS = 3000
/** The most the seeder's RSS may grow from HELD_BY_MS to the end of SETTLE_MS, while the flood goes on. */
const MAX_FLOOD_GROWTH = 16 * MiB
const TIME_FACTOR = 1.5
/**
 * The hostile seeder's peak RSS may exceed the clean one's by this much, 16 MiB per
 * non-reader: what the seeder holds for it (its read-ahead, SWARM.readAheadBytes, 2 MiB; at
 * most MAX_QUEUED_BYTES, 512 KiB, queued to it) and what any peer served costs (its
 * connection, session and buffers; the V8 heap's slack: an honest leecher costs the clean
 * seeder about 11 MiB).
 */
const MAX_EXTRA_RSS = NON_READERS * 16 * MiB

function rssOf (pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? 0 : Number(match[1]) * 1024
}

describe('integration: a peer that stops reading', function () {
  const ctx = useTestContext('non-reader')
  afterEach(async () => { await killAll() })

  it(`${NON_READERS} non-readers flooding requests do not hold a seeder: ${LEECHERS} honest leechers finish within ${TIME_FACTOR}x a clean run, the seeder's RSS stays bounded`, async function () {
    this.timeout(240_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'content.bin', SIZE)
    const seederConfig = { limits: { uploadRate: SEED_RATE }, content: { pieceSize: PIECE_SIZE } }
    const [cleanSeeder, seeder] = await Promise.all([
      ShoalProcess.create(join(ctx.dir, 'clean-seeder'), seederConfig),
      ShoalProcess.create(join(ctx.dir, 'seeder'), seederConfig)
    ])
    const contentId = await seeder.add(source)
    assert.equal(await cleanSeeder.add(source), contentId)
    const [cleanAddress, address] = [(await cleanSeeder.status()).addresses[0], (await seeder.status()).addresses[0]]
    const peak = { clean: 0, hostile: 0 }
    const sampler = setInterval(() => {
      peak.clean = Math.max(peak.clean, rssOf(cleanSeeder.pid))
      peak.hostile = Math.max(peak.hostile, rssOf(seeder.pid))
    }, 100)
    ctx.defer(() => { clearInterval(sampler) })

    // the non-readers take the seeder's upload slots first
    const pieceCount = SIZE / PIECE_SIZE
    const attackers: Array<{ peer: HostilePeer, reading: NonReading }> = []
    for (let i = 0; i < NON_READERS; i++) {
      const peer = await HostilePeer.start({})
      ctx.defer(async () => { await peer.stop() })
      attackers.push({ peer, reading: await stopReading(peer, address, contentId, pieceCount, { floodPerSecond: FLOOD_PER_SECOND }) })
    }
    ctx.defer(() => { for (const a of attackers) a.reading.stop() })
    await new Promise(resolve => setTimeout(resolve, HELD_BY_MS))
    const held = peak.hostile
    await new Promise(resolve => setTimeout(resolve, SETTLE_MS - HELD_BY_MS))
    const floodGrowth = peak.hostile - held

    const clean = await startLeechers('clean', cleanAddress)
    const honest = await startLeechers('honest', address)
    const fetchAll = async (nodes: ShoalNode[], folder: string): Promise<number> => {
      const runs = await Promise.all(nodes.map(async (n, i) => await fetchAndVerify(n, contentId, join(ctx.dir, folder, `${i}.bin`), source, { discoveryTimeout: 30_000 })))
      return Math.max(...runs.map(r => r.ms))
    }
    const [cleanMs, hostileMs] = await Promise.all([fetchAll(clean, 'clean'), fetchAll(honest, 'honest')])
    clearInterval(sampler)

    const status = await seeder.status() as unknown as { bans: Array<{ peerId: string, reason: string }> }
    const banned = attackers.filter(a => status.bans.some(b => b.peerId === a.peer.peerId)).length
    const figures = { cleanMs, hostileMs, cleanSeederPeakRssMiB: Math.round(peak.clean / MiB), hostileSeederPeakRssMiB: Math.round(peak.hostile / MiB), floodGrowthMiB: Math.round(floodGrowth / MiB), requestsFlooded: attackers.reduce((n, a) => n + a.reading.requestsSent, 0), nonReadersBanned: banned, banReasons: [...new Set(status.bans.map(b => b.reason))] }
    process.stderr.write(`      ${JSON.stringify(figures)}\n`)
    for (const node of honest) assert.ok(!clean.some(c => node.libp2p.getPeers().some(p => p.equals(c.libp2p.peerId))), 'the two swarms met: the clean run is not clean')
    assert.ok(floodGrowth <= MAX_FLOOD_GROWTH, `the seeder's RSS grew by ${Math.round(floodGrowth / MiB)} MiB while the non-readers flooded it`)
    assert.ok(hostileMs <= cleanMs * TIME_FACTOR, `the honest leechers took ${hostileMs} ms against ${cleanMs} ms clean, over ${TIME_FACTOR}x`)
    assert.ok(peak.hostile <= peak.clean + MAX_EXTRA_RSS, `the seeder's RSS peaked at ${Math.round(peak.hostile / MiB)} MiB against ${Math.round(peak.clean / MiB)} MiB clean`)
    assert.ok(!status.bans.some(b => honest.some(n => n.peerId === b.peerId)), 'an honest leecher was banned')
  })

  /** `LEECHERS` in-process nodes that know only `seeder`, connected to it. */
  async function startLeechers (name: string, seeder: string): Promise<ShoalNode[]> {
    const nodes = await Promise.all(Array.from({ length: LEECHERS }, async (_, i) => await ctx.nodes.start(`${name}-${i}`, { bootstrap: [seeder] })))
    const seederId = seeder.split('/p2p/')[1]
    await Promise.all(nodes.map(async n => { await waitForConnections(n, [seederId], 20_000) }))
    return nodes
  }
})
