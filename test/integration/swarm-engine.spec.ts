/**
 * The swarm engine with real nodes: leechers feed each other while a slow seeder sends
 * about one copy, the configured rate limits hold, and a peer that stops answering does not
 * hold up the download.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { HostilePeer, manifestNotFound, staller as stalling } from '../kit/hostile/index.js'
import { MiB, fetchAndVerify, makeFile, swarmStatus, useTestContext, waitForConnections } from './helpers/context.js'
import type { ConfigInput, ShoalNode, SwarmStatus } from '../../src/index.js'

describe('integration: the swarm engine', function () {
  const ctx = useTestContext('engine')

  async function seederWith (limits: ConfigInput['limits'] = {}): Promise<ShoalNode> {
    return await ctx.nodes.start('seeder', { limits })
  }

  async function leechersOf (seeder: ShoalNode, count: number, limits: ConfigInput['limits'] = {}): Promise<ShoalNode[]> {
    const bootstrap = [TestNodes.address(seeder)]
    const leechers = await Promise.all(Array.from({ length: count }, async (_, i) => await ctx.nodes.start(`leecher${i + 1}`, { bootstrap, limits })))
    await Promise.all(leechers.map(async l => { await waitForConnections(l, [seeder.peerId]) }))
    return leechers
  }

  /** The swarm's `downloaded` counter of `node` over `seconds`, as bytes per second. */
  async function measuredRate (node: ShoalNode, contentId: string, seconds: number): Promise<number> {
    const d0 = swarmStatus(node, contentId).downloaded
    const t0 = performance.now()
    await new Promise(resolve => setTimeout(resolve, seconds * 1000))
    return (swarmStatus(node, contentId).downloaded - d0) / ((performance.now() - t0) / 1000)
  }

  it('with a seeder capped at 4 MiB/s, most of four leechers\' bytes come from each other and the seeder sends little more than one copy', async function () {
    this.timeout(90_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'shared.bin', 32 * MiB)
    const seeder = await seederWith({ uploadRate: 4 * MiB })
    const added = await seeder.add(source)
    const leechers = await leechersOf(seeder, 4)

    await Promise.all(leechers.map(async (l, i) => { await fetchAndVerify(l, added.contentId, join(ctx.dir, `out${i}`, 'shared.bin'), source) }))
    const seederCopies = swarmStatus(seeder, added.contentId).uploaded / added.size
    const received = leechers.length * added.size
    const fromLeechers = leechers.reduce((sum, l) => sum + swarmStatus(l, added.contentId).uploaded, 0)
    const share = fromLeechers / received
    process.stderr.write(`      (leechers got ${(share * 100).toFixed(1)}% from each other; the seeder sent ${seederCopies.toFixed(2)} copies)\n`)
    assert.ok(share > 0.5, `leechers got only ${(share * 100).toFixed(1)}% of their bytes from each other (seeder sent ${seederCopies.toFixed(2)} copies)`)
    assert.ok(seederCopies <= 1.25, `the seeder sent ${seederCopies.toFixed(2)} copies`)
  })

  it('limits.uploadRate holds within 5% on the seeder', async function () {
    this.timeout(60_000)
    const rate = 4 * MiB
    const source = await makeFile(join(ctx.dir, 'src'), 'capped.bin', 48 * MiB)
    const seeder = await seederWith({ uploadRate: rate })
    const added = await seeder.add(source)
    const [leecher] = await leechersOf(seeder, 1)
    // stopped halfway: only the rate matters here
    const getting = fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'capped.bin'), source).catch(() => {})
    await new Promise(resolve => setTimeout(resolve, 2000))
    const measured = await measuredRate(leecher, added.contentId, 6)
    assert.ok(Math.abs(measured / rate - 1) <= 0.05, `measured ${(measured / MiB).toFixed(2)} MiB/s for a limit of ${rate / MiB} MiB/s`)
    assert.ok(Math.abs(swarmStatus(seeder, added.contentId).uploadRate / rate - 1) <= 0.15, 'status uploadRate is far from the limit')
    await leecher.stop()
    await getting
  })

  it('limits.downloadRate holds within 5% on a leecher fed by two unlimited seeders', async function () {
    this.timeout(60_000)
    const rate = 4 * MiB
    const source = await makeFile(join(ctx.dir, 'src'), 'slow.bin', 48 * MiB)
    const seeder = await seederWith()
    const second = await ctx.nodes.start('seeder2', { bootstrap: [TestNodes.address(seeder)] })
    const added = await seeder.add(source)
    await second.add(source)
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder), TestNodes.address(second)], limits: { downloadRate: rate } })
    await waitForConnections(leecher, [seeder.peerId, second.peerId])
    const getting = fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'slow.bin'), source).catch(() => {})
    await new Promise(resolve => setTimeout(resolve, 2000))
    const measured = await measuredRate(leecher, added.contentId, 6)
    assert.ok(Math.abs(measured / rate - 1) <= 0.05, `measured ${(measured / MiB).toFixed(2)} MiB/s for a limit of ${rate / MiB} MiB/s`)
    const peers = swarmStatus(leecher, added.contentId)
    assert.equal(peers.peers, 2, 'the leecher should trade with both seeders')
    await leecher.stop()
    await getting
  })

  it('a peer that accepts requests and never answers is snubbed: the download completes well within the request timeout', async function () {
    this.timeout(60_000)
    const requestTimeout = 9000
    const source = await makeFile(join(ctx.dir, 'src'), 'stalled.bin', 16 * MiB)
    const seeder = await seederWith()
    const added = await seeder.add(source)
    const { pieceSize } = swarmStatus(seeder, added.contentId)
    const staller = await HostilePeer.start({ pieces: { shape: { size: added.size, pieceSize }, behaviour: stalling() }, manifest: manifestNotFound() })
    ctx.defer(async () => { await staller.stop() })
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder), staller.address], timeouts: { request: requestTimeout } })
    await waitForConnections(leecher, [seeder.peerId, staller.peerId])
    const { ms } = await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'stalled.bin'), source)
    assert.ok(staller.stats.pieceRequests > 0, 'the leecher never asked the staller: the test proves nothing')
    assert.ok(ms < requestTimeout, `the download took ${ms} ms: the staller held it up until the request timeout`)
  })

  it('an honest seeder with a tight upload cap shared by four leechers is never taken for a staller', async function () {
    this.timeout(90_000)
    // 128 KiB/s over four leechers: 32 KiB/s each. Sent in whole 256 KiB runs, each leecher
    // would wait 8 s between runs, over the 6 s request timeout (which leaves a loaded
    // machine's pauses room): paced runs keep data coming
    const seeder = await seederWith({ uploadRate: 128 * 1024 })
    const source = await makeFile(join(ctx.dir, 'src'), 'slow.bin', 2 * MiB)
    const added = await seeder.add(source)
    const bootstrap = [TestNodes.address(seeder)]
    const leechers = await Promise.all(Array.from({ length: 4 }, async (_, i) => await ctx.nodes.start(`leecher${i + 1}`, { bootstrap, timeouts: { request: 6000 } })))
    await Promise.all(leechers.map(async l => { await waitForConnections(l, [seeder.peerId]) }))
    await Promise.all(leechers.map(async (l, i) => await fetchAndVerify(l, added.contentId, join(ctx.dir, `out${i}`, 'slow.bin'), source)))
    for (const leecher of leechers) assert.deepEqual(leecher.status().bans, [], `${leecher.peerId} banned an honest peer: ${JSON.stringify(leecher.status().bans)} (seeder ${seeder.peerId})`)
  })

  it('status --peers shows, during a download, each peer with its counters and choke state', async function () {
    this.timeout(30_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'peers.bin', 16 * MiB)
    const seeder = await seederWith({ uploadRate: 4 * MiB })
    const added = await seeder.add(source)
    const [leecher] = await leechersOf(seeder, 1)
    const getting = fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'peers.bin'), source)
    await new Promise(resolve => setTimeout(resolve, 1500))
    assert.equal(swarmStatus(seeder, added.contentId).peerDetails, undefined, 'peer details only when asked')
    const peerOf = (node: ShoalNode): NonNullable<SwarmStatus['peerDetails']>[number] | undefined =>
      node.status({ peers: true }).swarms.find(s => s.contentId === added.contentId)?.peerDetails?.[0]
    const seen = peerOf(leecher)
    assert.ok(seen !== undefined, 'the leecher lists no peer')
    assert.equal(seen.peerId, seeder.peerId)
    assert.equal(seen.seed, true)
    assert.equal(seen.chokingUs, false, 'the seeder should have unchoked its only leecher')
    assert.ok(seen.downloaded > 0 && seen.downloadRate > 0 && seen.requestsOut > 0)
    const served = peerOf(seeder)
    assert.ok(served !== undefined, 'the seeder lists no peer')
    assert.equal(served.peerId, leecher.peerId)
    assert.equal(served.choked, false)
    assert.ok(served.uploaded > 0 && served.uploadRate > 0)
    await getting
  })
})
