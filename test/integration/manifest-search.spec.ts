/**
 * Peers that hold a manifest request cannot stop a `get` (issue 12, item 2): silent ones and
 * tricklers reached before the honest seeder cost the protocol's first-byte deadline or a few
 * seconds of its minimum rate, side by side with a clean run; each stall is scored, and a peer
 * that keeps stalling is banned.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { MANIFEST_SEARCH } from '../../src/config/defaults.js'
import { TestNodes } from '../helpers/nodes.js'
import { HostilePeer, manifestSilent, manifestTrickler } from '../kit/hostile/index.js'
import { MiB, fetchAndVerify, makeFile, rejectsNamed, useTestContext, waitForConnections } from './helpers/context.js'
import type { ShoalNode } from '../../src/index.js'

describe('integration: peers that hold manifest requests', function () {
  const ctx = useTestContext('manifest-search')

  /** Two silent manifest peers and two that announce 16 MiB and send 100 bytes a second. */
  async function startHolders (): Promise<HostilePeer[]> {
    const holders = await Promise.all([manifestSilent(), manifestSilent(), manifestTrickler(), manifestTrickler()].map(async manifest => await HostilePeer.start({ manifest })))
    ctx.defer(async () => { await Promise.all(holders.map(async h => { await h.stop() })) })
    return holders
  }

  /** A leecher that knows only the holders, connected to all of them, so they are its first candidates. */
  async function leecherOf (name: string, holders: HostilePeer[]): Promise<ShoalNode> {
    const leecher = await ctx.nodes.start(name, { bootstrap: holders.map(h => h.address) })
    await waitForConnections(leecher, holders.map(h => h.peerId))
    return leecher
  }

  it('two silent and two trickling manifest peers reached first, and one honest seeder: get completes within a few seconds of a clean run', async function () {
    this.timeout(150_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'content.bin', 4 * MiB)
    // two swarms of the same content, run at the same moment so both meet the same machine load
    const seeder = await ctx.nodes.start('seeder')
    const cleanSeeder = await ctx.nodes.start('clean-seeder')
    const { contentId } = await seeder.add(source)
    assert.equal((await cleanSeeder.add(source)).contentId, contentId)
    // the node's own discovery timeout (60 s): before this fix, two silent peers took 30 s each
    const discoveryTimeout = seeder.config.timeouts.discovery

    const cleanLeecher = await ctx.nodes.start('clean', { bootstrap: [TestNodes.address(cleanSeeder)] })
    await waitForConnections(cleanLeecher, [cleanSeeder.peerId])
    const holders = await startHolders()
    const leecher = await leecherOf('leecher', holders)
    await leecher.libp2p.dial(seeder.libp2p.getMultiaddrs()[0])
    await waitForConnections(leecher, [seeder.peerId])
    assert.deepEqual(leecher.libp2p.getPeers().map(String).slice(0, 4).sort(), holders.map(h => h.peerId).sort(), 'the holders are not the first candidates')

    const [clean, held] = await Promise.all([
      fetchAndVerify(cleanLeecher, contentId, join(ctx.dir, 'clean', 'content.bin'), source, { discoveryTimeout }),
      fetchAndVerify(leecher, contentId, join(ctx.dir, 'held', 'content.bin'), source, { discoveryTimeout })
    ])

    for (const holder of holders) assert.equal(holder.stats.manifestRequests, 1, 'each holder is asked once')
    if (process.env.SHOAL_FIGURES !== undefined) process.stdout.write(`      clean get ${clean.ms} ms, with 2 silent + 2 trickling manifest peers first ${held.ms} ms\n`)
    // the holders cost one first-byte deadline (3 s) or one chunk's time at the minimum rate (4 s), not 30 s each
    assert.ok(held.ms <= clean.ms + 6000, `the get took ${held.ms} ms with the holders, ${clean.ms} ms without`)
    assert.deepEqual(leecher.status().bans.filter(b => b.peerId === seeder.peerId), [], 'the honest seeder was banned')
  })

  it(`a peer that stalls ${MANIFEST_SEARCH.maxStalls} manifest requests is banned, and costs nothing after`, async function () {
    this.timeout(150_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'content.bin', 1 * MiB)
    const seeder = await ctx.nodes.start('seeder')
    const { contentId } = await seeder.add(source)
    const holders = await startHolders()
    const leecher = await leecherOf('leecher', holders)

    // with nobody to give the manifest, each get asks each holder (a stalled peer waits
    // MANIFEST_SEARCH.stalledRetryAfter to be asked again) and each holder stalls once
    for (let get = 1; get <= MANIFEST_SEARCH.maxStalls; get++) {
      await rejectsNamed(leecher.get(contentId, { output: join(ctx.dir, 'out', `${get}.bin`), discoveryTimeout: 7000 }), 'NoProvidersError')
      for (const holder of holders) assert.ok(holder.stats.manifestRequests >= get, `get ${get}: a holder was not asked`)
    }
    const bans = leecher.status().bans
    for (const holder of holders) {
      const ban = bans.find(b => b.peerId === holder.peerId)
      assert.ok(ban !== undefined, `holder ${holder.peerId} is not banned; bans: ${JSON.stringify(bans)}`)
      assert.match(ban.reason, /stalled 3 manifest requests/)
    }

    const asked = holders.map(h => h.stats.manifestRequests)
    await leecher.libp2p.dial(seeder.libp2p.getMultiaddrs()[0])
    await waitForConnections(leecher, [seeder.peerId])
    const { ms } = await fetchAndVerify(leecher, contentId, join(ctx.dir, 'out', 'content.bin'), source, { discoveryTimeout: 20_000 })
    assert.ok(ms < 3000, `the get took ${ms} ms after the holders were banned`)
    assert.deepEqual(holders.map(h => h.stats.manifestRequests), asked, 'a banned holder was asked again')
  })
})
