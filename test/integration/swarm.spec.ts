/**
 * One seeder and three leechers, real libp2p nodes in one process (TCP on 127.0.0.1, Noise,
 * Yamux, kad-dht): files and folders arrive byte-identical everywhere, status and progress
 * tell the truth, and leechers that download together trade pieces with each other.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { MiB, UNICODE_NAME, assertSeeding, exists, fetchAndVerify, makeFile, makeFolder, useTestContext } from './helpers/context.js'
import type { ShoalNode } from '../../src/index.js'

describe('integration: one seeder, three leechers', function () {
  const ctx = useTestContext('swarm')

  /** A seeder and `count` leechers that bootstrap to it. */
  async function startSwarm (count: number): Promise<{ seeder: ShoalNode, leechers: ShoalNode[] }> {
    const seeder = await ctx.nodes.start('seeder')
    const bootstrap = [TestNodes.address(seeder)]
    const leechers = await Promise.all(Array.from({ length: count }, async (_, i) => await ctx.nodes.start(`leecher${i + 1}`, { bootstrap })))
    return { seeder, leechers }
  }

  it('a ~24 MiB file reaches every leecher byte-identical, with status and progress in order', async function () {
    this.timeout(60_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'big.bin', 24 * MiB + 12345)
    const { seeder, leechers } = await startSwarm(3)
    const added = await seeder.add(source)
    assert.equal(added.size, 24 * MiB + 12345)
    assertSeeding(seeder, added.contentId)

    await Promise.all(leechers.map(async (leecher, i) => {
      const output = join(ctx.dir, `out${i + 1}`, 'big.bin')
      const { events } = await fetchAndVerify(leecher, added.contentId, output, source)
      const status = assertSeeding(leecher, added.contentId)
      assert.equal(status.pieceCount, added.pieceCount)
      assert.equal(status.size, added.size)
      assert.equal(status.downloaded, added.size, 'downloaded counts each verified byte once')
      const manifest = events[1]
      assert.ok(manifest.type === 'shoal:get:manifest')
      assert.equal(manifest.name, 'big.bin')
      assert.equal(manifest.size, added.size)
    }))
    assert.ok(swarmUploaded(seeder, added.contentId) > 0, 'the seeder uploaded nothing')
  })

  it('a folder (nested folders, empty files, a unicode name) reaches every leecher byte-identical', async function () {
    this.timeout(60_000)
    const source = await makeFolder(join(ctx.dir, 'src'))
    const { seeder, leechers } = await startSwarm(3)
    const added = await seeder.add(source)

    await Promise.all(leechers.map(async (leecher, i) => {
      const output = join(ctx.dir, `out${i + 1}`, 'album-copy')
      await fetchAndVerify(leecher, added.contentId, output, source)
      // the tree comparison covers these, but say plainly what must exist
      assert.ok(await exists(join(output, 'empty.txt')), 'the empty file is missing')
      assert.ok(await exists(join(output, 'sub', 'deeper', 'empty-too')), 'the nested empty file is missing')
      assert.ok(await exists(join(output, UNICODE_NAME)), 'the unicode-named file is missing')
      const status = assertSeeding(leecher, added.contentId)
      assert.equal(status.directory, true)
      assert.equal(status.name, 'album')
    }))
  })

  it('leechers that start together also trade pieces with each other (48 MiB)', async function () {
    this.timeout(60_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'shared.bin', 48 * MiB)
    const { seeder, leechers } = await startSwarm(3)
    const added = await seeder.add(source)

    await Promise.all(leechers.map(async (leecher, i) => {
      await fetchAndVerify(leecher, added.contentId, join(ctx.dir, `out${i + 1}`, 'shared.bin'), source)
    }))
    const leecherUploads = leechers.map(l => swarmUploaded(l, added.contentId))
    const seederUpload = swarmUploaded(seeder, added.contentId)
    assert.ok(leecherUploads.reduce((a, b) => a + b, 0) > 0,
      `no leecher uploaded anything to another: the seeder sent ${seederUpload} bytes (${(seederUpload / added.size).toFixed(2)} copies), leechers ${leecherUploads.join(', ')}`)
  })

  it('a lone leecher with a lone seeder gets each piece once (no endgame duplicates from the same peer)', async function () {
    this.timeout(60_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'once.bin', 32 * MiB)
    const { seeder, leechers: [leecher] } = await startSwarm(1)
    const added = await seeder.add(source)
    await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'once.bin'), source)
    const uploaded = swarmUploaded(seeder, added.contentId)
    assert.equal(uploaded, added.size,
      `the seeder sent ${uploaded} bytes for ${added.size} (${(uploaded - added.size) / swarmStatusOf(seeder, added.contentId).pieceSize} extra pieces)`)
  })
})

function swarmStatusOf (node: ShoalNode, contentId: string): { pieceSize: number } {
  return node.status().swarms.find(s => s.contentId === contentId) ?? { pieceSize: 1 }
}

function swarmUploaded (node: ShoalNode, contentId: string): number {
  return node.status().swarms.find(s => s.contentId === contentId)?.uploaded ?? 0
}
