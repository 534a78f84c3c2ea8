/**
 * Every peer is a stranger: a peer that serves garbage pieces is banned after maxBadPieces
 * and refused afterwards, a peer that forges manifests cannot stop a leecher from getting
 * the real one, and a peer that vanishes mid-transfer costs only re-requests.
 */
import assert from 'node:assert/strict'
import { copyFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { parseContentId } from '../../src/core/content-id.js'
import { COLLIDING_NAMES, HostilePeer, UNSAFE_NAMES, expensiveManifests, manifestForger, manifestNotFound, poisoner as poisoning, unsafeManifest } from '../kit/hostile/index.js'
import { MiB, exists, fetchAndVerify, makeFile, rejectsNamed, swarmStatus, useTestContext, waitFor, waitForConnections } from './helpers/context.js'
import { listTree } from './helpers/sandbox.js'
import type { HostilePeerInit } from '../kit/hostile/index.js'

describe('integration: hostile and unreliable peers', function () {
  const ctx = useTestContext('hostile')

  async function startHostile (init: HostilePeerInit): Promise<HostilePeer> {
    const peer = await HostilePeer.start(init)
    ctx.defer(async () => { await peer.stop() })
    return peer
  }

  it('a poisoner serving random pieces is banned after maxBadPieces and refused on reconnect; the download is intact', async function () {
    this.timeout(60_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'target.bin', 32 * MiB)
    const seeder = await ctx.nodes.start('seeder')
    const added = await seeder.add(source)
    const { pieceSize } = swarmStatus(seeder, added.contentId)
    const poisoner = await startHostile({ pieces: { shape: { size: added.size, pieceSize }, behaviour: poisoning() }, manifest: manifestNotFound() })
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder), poisoner.address] })
    assert.equal(leecher.config.limits.maxBadPieces, 3)
    await waitForConnections(leecher, [seeder.peerId, poisoner.peerId])

    await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'target.bin'), source)
    assert.ok(poisoner.stats.handshakes >= 1, 'the leecher never opened a piece exchange with the poisoner')
    assert.ok(poisoner.stats.piecesSent >= 3, `the poisoner sent only ${poisoner.stats.piecesSent} pieces`)
    const ban = leecher.status().bans.find(b => b.peerId === poisoner.peerId)
    assert.ok(ban !== undefined, `the poisoner is not banned; bans: ${JSON.stringify(leecher.status().bans)}`)
    assert.ok(ban.until > Date.now())
    assert.ok(!leecher.status().bans.some(b => b.peerId === seeder.peerId), 'the honest seeder was banned')
    assert.ok(swarmStatus(leecher, added.contentId).downloaded === added.size)

    // disconnected, and refused when it comes back
    await waitFor(() => leecher.libp2p.getConnections().every(c => c.remotePeer.toString() !== poisoner.peerId), 'the leecher hangs up on the poisoner')
    // the gater refuses it once Noise shows who it is: the poisoner's dial may complete on its
    // side, but the leecher drops the connection at once and never lists it
    await poisoner.dial(TestNodes.address(leecher)).catch(() => {})
    await waitFor(() => poisoner.libp2p.getConnections().every(c => c.remotePeer.toString() !== leecher.peerId), 'the leecher drops the banned poisoner\'s new connection', 3000)
    assert.equal(leecher.libp2p.getConnections().filter(c => c.remotePeer.toString() === poisoner.peerId).length, 0, 'the leecher holds a connection to the banned poisoner')
    await assert.rejects(poisoner.libp2p.dialProtocol(leecher.libp2p.getMultiaddrs()[0], '/ipfs/id/1.0.0'), 'the banned poisoner could open a stream to the leecher')
    // and the leecher does not dial it either
    await assert.rejects(leecher.libp2p.dial(poisoner.libp2p.getMultiaddrs()[0]))
  })

  it('a manifest forger does not stop the leecher from getting the real manifest from an honest seeder', async function () {
    this.timeout(60_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'real.bin', 4 * MiB)
    const seeder = await ctx.nodes.start('seeder')
    const added = await seeder.add(source)
    const forger = await startHostile({ manifest: manifestForger(5000) })
    // the leecher first knows only the forger, so the forger is certainly asked first
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [forger.address] })
    await waitForConnections(leecher, [forger.peerId])

    const fetching = fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'real.bin'), source, { discoveryTimeout: 30_000 })
    fetching.catch(() => {}) // awaited below
    await waitFor(() => forger.stats.manifestRequests >= 1, 'the leecher asks the forger for the manifest')
    assert.equal(leecher.status().swarms.length, 0, 'a forged manifest was accepted')
    // now the honest seeder becomes reachable
    await leecher.libp2p.dial(seeder.libp2p.getMultiaddrs()[0])
    await fetching
    assert.ok(forger.stats.manifestRequests >= 1)
    const ban = leecher.status().bans.find(b => b.peerId === forger.peerId)
    assert.ok(ban !== undefined, 'the forger is not banned')
    assert.match(ban.reason, /forged manifest/)
  })

  /** A hostile peer serving these manifests under their content ids, and a leecher connected to it with an empty sandbox. */
  async function servingManifests (variants: Array<{ contentId: { toString: () => string }, bytes: Uint8Array }>): Promise<{ attacker: Awaited<ReturnType<typeof startHostile>>, sandbox: string, leecher: Awaited<ReturnType<typeof ctx.nodes.start>> }> {
    const byId = new Map(variants.map(v => [v.contentId.toString(), v.bytes]))
    const attacker = await startHostile({
      manifest: (contentId) => {
        const bytes = [...byId.entries()].find(([id]) => Buffer.from(parseId(id)).equals(Buffer.from(contentId)))?.[1]
        return bytes === undefined ? { notFound: true } : { bytes }
      }
    })
    const sandbox = join(ctx.dir, 'sandbox')
    await mkdir(join(sandbox, 'out'), { recursive: true })
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [attacker.address] })
    await waitForConnections(leecher, [attacker.peerId])
    return { attacker, sandbox, leecher }
  }

  it('a manifest that hashes to its content id but names unsafe or colliding paths is refused with a clear error, and nothing is written', async function () {
    this.timeout(60_000)
    const variants = [...UNSAFE_NAMES, ...COLLIDING_NAMES].map(v => ({ ...v, ...unsafeManifest(v) }))
    const { attacker, sandbox, leecher } = await servingManifests(variants)
    for (const variant of variants) {
      const cid = variant.contentId.toString()
      const withOutput = await rejectsNamed(leecher.get(cid, { output: join(sandbox, 'out', 'content'), discoveryTimeout: 10_000 }), 'InvalidManifestError')
      assert.match(withOutput.message, /unsafe name|path length|one name on case-insensitive file systems/, `${variant.what}: ${withOutput.message}`)
      await rejectsNamed(leecher.get(cid, { outputDir: join(sandbox, 'out'), discoveryTimeout: 10_000 }), 'InvalidManifestError')
      assert.equal(await exists(join(leecher.config.dataDir, 'manifests', cid)), false, `${variant.what}: the manifest was stored`)
    }
    assert.ok(attacker.stats.manifestRequests >= variants.length * 2)
    assert.deepEqual(await listTree(sandbox), ['out/'], 'something was written')
    assert.deepEqual(leecher.status().swarms, [])
  })

  it('16 MiB manifests built to be expensive are refused quickly, and nothing is created', async function () {
    this.timeout(120_000)
    // the ones the rules refuse (the accepted ones are measured in test/unit/core/manifest-cost.spec.ts)
    const variants = expensiveManifests().filter(v => /every prefix distinct|by the million|a folder for every file/.test(v.what))
    assert.equal(variants.length, 3)
    const { attacker, sandbox, leecher } = await servingManifests(variants)
    for (const variant of variants) {
      const cid = variant.contentId.toString()
      const started = Date.now()
      const err = await rejectsNamed(leecher.get(cid, { outputDir: join(sandbox, 'out'), discoveryTimeout: 30_000 }), 'InvalidManifestError')
      assert.match(err.message, /more than 50000 folders|too many elements/, `${variant.what}: ${err.message}`)
      process.stdout.write(`      ${variant.what}: refused in ${Date.now() - started} ms\n`)
      assert.equal(await exists(join(leecher.config.dataDir, 'manifests', cid)), false, `${variant.what}: the manifest was stored`)
    }
    assert.deepEqual(await listTree(sandbox), ['out/'], 'something was written')
    assert.deepEqual(leecher.status().swarms, [])
  })

  it('a seeder that leaves mid-transfer costs only re-requests: the download completes from the other seeder', async function () {
    this.timeout(60_000)
    const size = 64 * MiB
    const source = await makeFile(join(ctx.dir, 'src1'), 'data.bin', size)
    const copy = join(ctx.dir, 'src2')
    await mkdir(copy)
    await copyFile(source, join(copy, 'data.bin'))
    const stayer = await ctx.nodes.start('stayer')
    const leaver = await ctx.nodes.start('leaver')
    const added = await stayer.add(source)
    assert.equal((await leaver.add(join(copy, 'data.bin'))).contentId, added.contentId)
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(stayer), TestNodes.address(leaver)] })
    await waitForConnections(leecher, [stayer.peerId, leaver.peerId])

    let stopping: Promise<void> | undefined
    let atStop = { piecesHave: 0, pieceCount: 0, leaverUploaded: 0 }
    await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'data.bin'), source, {
      onProgress: (e) => {
        if (stopping !== undefined || e.type !== 'shoal:get:progress' || e.piecesHave === 0 || e.peers < 2) return
        atStop = { piecesHave: e.piecesHave, pieceCount: e.pieceCount, leaverUploaded: swarmStatus(leaver, added.contentId).uploaded }
        stopping = leaver.stop()
      }
    })
    assert.ok(stopping !== undefined, 'the leecher never had both seeders at once')
    await stopping
    assert.ok(atStop.piecesHave < atStop.pieceCount, 'the leaver stopped only after the download was complete')
    assert.ok(atStop.leaverUploaded > 0, 'the leaver had uploaded nothing when it stopped')
    assert.equal(leecher.status().bans.length, 0, 'a peer that left was banned')
    assert.equal(swarmStatus(leecher, added.contentId).downloaded, size)
  })
})

function parseId (id: string): Uint8Array {
  return parseContentId(id).bytes
}
