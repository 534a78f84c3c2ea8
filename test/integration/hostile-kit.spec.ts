/**
 * Every misbehaviour of the hostile-peer kit (test/kit/hostile) against a real download:
 * with an honest seeder present the content ends byte-identical within 1.5x the time of a
 * clean run measured in the same test, memory growth stays bounded, nothing is written
 * outside the output path, and a detectable misbehaver is banned with a reason and
 * disconnected.
 */
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { HostilePeer, PIECE_EXCHANGE, flooder, floodStreams, liar, manifestNotFound, poisoner, staller } from '../kit/hostile/index.js'
import { MiB, fetchAndVerify, makeFile, swarmStatus, useTestContext, waitFor, waitForConnections } from './helpers/context.js'
import { listTree, peakGrowth } from './helpers/sandbox.js'
import type { PieceBehaviour } from '../kit/hostile/index.js'
import type { ConfigInput, ShoalNode } from '../../src/index.js'

const SIZE = 32 * MiB
/**
 * Each seeder's upload cap: a run then takes about 2 s, set by the cap rather than by the
 * CPU this machine shares with other work.
 */
const SEED_RATE = 16 * MiB
/** The hostile run may take this much longer than the clean one. */
const TIME_FACTOR = 1.5
/** Largest growth of the process's RSS during the runs (four Shoal nodes and the hostile peer). */
const MAX_RSS_GROWTH = 150 * MiB

interface Figures { behaviour: string, cleanMs: number, hostileMs: number, rssGrowthMiB: number, arrayBuffersGrowthMiB: number, banned?: string, streamsHeld?: number }
const figures: Figures[] = []

describe('integration: the hostile-peer kit against a download', function () {
  const ctx = useTestContext('hostile-kit')

  after(() => {
    // the figures the README's Reliability section quotes
    if (process.env.SHOAL_FIGURES !== undefined) for (const f of figures) process.stdout.write(`      ${JSON.stringify(f)}\n`)
  })

  interface DownloadOptions {
    /** Both seeders' upload cap; default SEED_RATE. */
    seedRate?: number
    /** Config for both leechers. */
    leecher?: Partial<ConfigInput>
  }

  interface Run {
    seeder: ShoalNode
    leecher: ShoalNode
    hostile: HostilePeer
    contentId: string
    figures: Figures
  }

  /**
   * Two swarms that know nothing of each other, run at the same time so that both meet the
   * same machine: a clean one (a capped seeder and a leecher) and a hostile one (a seeder with
   * the same cap and content, the hostile peer, and a leecher that knows both, downloading
   * into a sandbox folder). Checks content, the time against the clean run, memory and writes.
   */
  async function download (name: string, behaviour: PieceBehaviour, during?: (leecher: ShoalNode, hostile: HostilePeer) => Promise<void>, options: DownloadOptions = {}): Promise<Run> {
    const source = await makeFile(join(ctx.dir, 'src'), 'content.bin', SIZE)
    const seedRate = options.seedRate ?? SEED_RATE
    const cleanSeeder = await ctx.nodes.start('clean-seeder', { limits: { uploadRate: seedRate } })
    const seeder = await ctx.nodes.start('seeder', { limits: { uploadRate: seedRate } })
    const added = await seeder.add(source)
    assert.equal((await cleanSeeder.add(source)).contentId, added.contentId)
    const { pieceSize } = swarmStatus(seeder, added.contentId)
    const hostile = await HostilePeer.start({ pieces: { shape: { size: added.size, pieceSize }, behaviour }, manifest: manifestNotFound() })
    ctx.defer(async () => { await hostile.stop() })

    const clean = await ctx.nodes.start('clean', { bootstrap: [TestNodes.address(cleanSeeder)], ...options.leecher })
    const sandbox = join(ctx.dir, 'sandbox')
    await mkdir(join(sandbox, 'out'), { recursive: true })
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder), hostile.address], ...options.leecher })
    await waitForConnections(clean, [cleanSeeder.peerId])
    await waitForConnections(leecher, [seeder.peerId, hostile.peerId])
    const duringRun = during?.(leecher, hostile)
    const { result: [{ ms: cleanMs }, { ms: hostileMs }], rss, arrayBuffers } = await peakGrowth(async () => await Promise.all([
      fetchAndVerify(clean, added.contentId, join(ctx.dir, 'clean', 'content.bin'), source),
      fetchAndVerify(leecher, added.contentId, join(sandbox, 'out', 'content.bin'), source)
    ]))
    await duringRun
    assert.ok(!clean.libp2p.getPeers().some(p => p.toString() === leecher.peerId), 'the two swarms met: the clean run is not clean')

    const run: Figures = { behaviour: name, cleanMs, hostileMs, rssGrowthMiB: Math.round(rss / MiB), arrayBuffersGrowthMiB: Math.round(arrayBuffers / MiB) }
    figures.push(run)
    assert.deepEqual(await listTree(sandbox), ['out/', 'out/content.bin'], 'something was written outside the output path')
    assert.ok(hostileMs <= cleanMs * TIME_FACTOR, `${name}: ${hostileMs} ms against ${cleanMs} ms clean, over ${TIME_FACTOR}x`)
    assert.ok(rss < MAX_RSS_GROWTH, `${name}: RSS grew by ${Math.round(rss / MiB)} MiB`)
    assert.ok(!leecher.status().bans.some(b => b.peerId === seeder.peerId), 'the honest seeder was banned')
    return { seeder, leecher, hostile, contentId: added.contentId, figures: run }
  }

  /** The hostile peer ends up banned with a reason matching `reason`, and disconnected. */
  async function assertBanned (run: Run, reason: RegExp): Promise<void> {
    const { leecher, hostile } = run
    await waitFor(() => leecher.status().bans.some(b => b.peerId === hostile.peerId), `${hostile.peerId} is banned`, 5000)
    const ban = leecher.status().bans.find(b => b.peerId === hostile.peerId)
    assert.ok(ban !== undefined)
    assert.match(ban.reason, reason)
    assert.ok(ban.until > Date.now())
    run.figures.banned = ban.reason
    await waitFor(() => leecher.libp2p.getConnections(hostile.libp2p.peerId).length === 0, 'the leecher hangs up on the banned peer', 5000)
  }

  it('a poisoner (random bytes for every piece) is banned after maxBadPieces', async function () {
    const run = await download('poisoner', poisoner())
    assert.ok(run.hostile.stats.piecesSent >= 3, `the poisoner sent only ${run.hostile.stats.piecesSent} pieces`)
    await assertBanned(run, /failed verification/)
  })

  it('a liar (full bitfield, rejects NOT_AVAILABLE) is banned after SCORING.maxFalseClaims', async function () {
    const run = await download('liar: bitfield + reject', liar({ announce: 'bitfield', answer: 'reject' }))
    assert.ok(run.hostile.stats.rejectsSent >= 3)
    await assertBanned(run, /refused 3 piece\(s\) it had announced/)
  })

  it('a liar (empty bitfield, then a Have for every piece, rejects NOT_AVAILABLE) is banned', async function () {
    const run = await download('liar: haves + reject', liar({ announce: 'have', answer: 'reject' }))
    await assertBanned(run, /had announced/)
  })


  /**
   * Stalls are counted once a check (a second) and banned at SCORING.maxStalls; with the
   * default 30 s request timeout that takes over a minute. These runs shorten the timeout (to
   * a margin over the seconds an honest seeder queues our requests) and slow the seeders
   * (about 16 s a run) so the ban falls inside the download.
   */
  const stalling: DownloadOptions = { seedRate: 2 * MiB, leecher: { timeouts: { request: 2500 } } }

  it('a staller (accepts requests, never answers) does not hold the download up, and is banned', async function () {
    this.timeout(60_000)
    const run = await download('staller: silent', staller(), undefined, stalling)
    assert.ok(run.hostile.stats.pieceRequests > 0, 'the leecher never asked the staller: the test proves nothing')
    await assertBanned(run, /held our requests 3 times without sending their data/)
  })

  it('a liar that ignores requests does not hold the download up, and is banned as a staller', async function () {
    this.timeout(60_000)
    const run = await download('liar: bitfield + ignore', liar({ answer: 'ignore' }), undefined, stalling)
    assert.ok(run.hostile.stats.pieceRequests > 0, 'the leecher never asked the liar: the test proves nothing')
    await assertBanned(run, /held our requests 3 times without sending their data/)
  })

  it('a trickler (1 byte a second) does not hold the download up, and is banned', async function () {
    this.timeout(60_000)
    const run = await download('staller: trickle 1 B/s', staller({ mode: 'trickle', bytesPerSecond: 1 }), undefined, stalling)
    assert.ok(run.hostile.stats.pieceRequests > 0, 'the leecher never asked the trickler: the test proves nothing')
    await assertBanned(run, /held our requests 3 times without sending their data/)
  })

  for (const mode of ['oversized-frame', 'huge-length-prefix', 'garbage', 'unrequested-pieces'] as const) {
    it(`a flooder sending ${mode} is reset and banned as a protocol violation`, async function () {
      const run = await download(`flooder: ${mode}`, flooder(mode))
      await assertBanned(run, /./)
    })
  }

  it('a flooder sending maximum-size (64 KiB) valid requests while choked is banned after SCORING.maxChokedRequests', async function () {
    const run = await download('flooder: max-size frames', flooder('max-size-frames'))
    await assertBanned(run, /while choked/)
  })

  it('a flooder opening piece-exchange streams in a loop is bounded by maxInboundStreams; garbage in place of a handshake bans it', async function () {
    let held = 0
    const run = await download('flooder: stream loop', staller(), async (leecher, hostile) => {
      // 200 streams that hold still (until the handshake timeout), while the download runs
      const open = await floodStreams(hostile, TestNodes.address(leecher), { streams: 200, payload: 'nothing' })
      // over every connection between the two (each side may have dialled)
      held = leecher.libp2p.getConnections(hostile.libp2p.peerId).flatMap(c => c.streams).filter(s => s.protocol === PIECE_EXCHANGE && s.direction === 'inbound').length
      // then, with the slots free again, streams that open with garbage: a violation before any swarm sees the stream
      for (const stream of open) stream.abort(new Error('flood over'))
      await waitFor(() => (leecher.libp2p.getConnections(hostile.libp2p.peerId)[0]?.streams.filter(s => s.direction === 'inbound').length ?? 0) < 8, 'the flood streams are gone')
      await floodStreams(hostile, TestNodes.address(leecher), { streams: 4, payload: 'garbage', concurrency: 1 }).catch(() => [])
    })
    run.figures.streamsHeld = held
    assert.ok(run.hostile.stats.streamsOpened >= 64, `the flooder opened only ${run.hostile.stats.streamsOpened} streams`)
    assert.ok(held > 0 && held <= 64, `the leecher held ${held} inbound piece-exchange streams from one peer`)
    await assertBanned(run, /handshake|undecodable|frame|malformed/)
  })
})
