/**
 * A seeder whose files change under it while it runs: a touch (same bytes, new time) is
 * verified and seeding goes on; changed bytes leave it serving the pieces that still match
 * (state 'partial', across restarts too) until the original bytes are back.
 */
import assert from 'node:assert/strict'
import { copyFile, mkdir, open, rm, stat, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { MiB, fetchAndVerify, makeFile, makeFolder, sha256Tree, swarmStatus, useTestContext, waitFor } from './helpers/context.js'

const CHECK_MS = 300
const PIECE = 256 * 1024

/** Overwrite `bytes` at `offset` and move the modification time on (a same-millisecond write would look untouched). */
async function overwrite (path: string, offset: number, bytes: Buffer): Promise<void> {
  const before = await stat(path)
  const file = await open(path, 'r+')
  await file.write(bytes, 0, bytes.byteLength, offset)
  await file.close()
  const later = new Date(before.mtimeMs + 5000)
  await utimes(path, later, later)
}

describe('integration: seeded files that change', function () {
  const ctx = useTestContext('seed-changes')
  const seederConfig = { timeouts: { seedCheck: CHECK_MS }, content: { pieceSize: PIECE } }

  /** A 3 MiB file to seed, and a copy of it under the same name elsewhere (the same content id) that stays as it is. */
  async function sourceAndCopy (): Promise<{ source: string, original: string }> {
    const source = await makeFile(join(ctx.dir, 'src'), 'seeded.bin', 3 * MiB)
    const original = join(ctx.dir, 'original', 'seeded.bin')
    await mkdir(join(ctx.dir, 'original'))
    await copyFile(source, original)
    return { source, original }
  }

  it('a touched file is verified again and still seeded', async function () {
    this.timeout(60_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'seeded.bin', 3 * MiB)
    const seeder = await ctx.nodes.start('seeder', seederConfig)
    const added = await seeder.add(source)

    const later = new Date((await stat(source)).mtimeMs + 5000)
    await utimes(source, later, later)
    await new Promise(resolve => setTimeout(resolve, 4 * CHECK_MS))
    assert.equal(swarmStatus(seeder, added.contentId).state, 'seeding', 'a touch stopped the seeding')
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)] })
    await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'seeded.bin'), source)
  })

  it('changed bytes: it serves the pieces that still match, across a restart, and seeds it all again once the bytes are back', async function () {
    this.timeout(90_000)
    const { source, original } = await sourceAndCopy()
    let seeder = await ctx.nodes.start('seeder', seederConfig)
    const added = await seeder.add(source)
    const pieces = added.pieceCount

    // pieces 4 and 9 change; the other ten still match
    await overwrite(source, 4 * PIECE + 5, Buffer.from('changed bytes!!!'))
    await overwrite(source, 9 * PIECE, Buffer.from('more'))
    await waitFor(() => swarmStatus(seeder, added.contentId).state === 'partial', 'the changed content to be served in part', 10_000)
    let status = swarmStatus(seeder, added.contentId)
    assert.equal(status.piecesHave, pieces - 2)
    assert.match(status.error ?? '', /2 of 12 pieces no longer match; serving the other 10/)

    // a restart trusts what it verified: still partial, same pieces
    await seeder.stop()
    ctx.nodes.nodes.splice(ctx.nodes.nodes.indexOf(seeder), 1)
    seeder = await ctx.nodes.start('seeder', seederConfig)
    status = swarmStatus(seeder, added.contentId)
    assert.equal(status.state, 'partial', 'a restart changed the state')
    assert.equal(status.piecesHave, pieces - 2)
    await assert.rejects(seeder.get(added.contentId, { output: join(ctx.dir, 'copy.bin') }), /no longer match/)

    // a leecher gets the content from it and from a slow full seed: every byte right, and the
    // partial seed, asked only for what it has, is never taken for a poisoner
    const fullSeed = await ctx.nodes.start('full-seed', { limits: { uploadRate: 256 * 1024 } })
    assert.equal((await fullSeed.add(original)).contentId, added.contentId)
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder), TestNodes.address(fullSeed)] })
    await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'seeded.bin'), original)
    assert.ok(swarmStatus(seeder, added.contentId).uploaded > 0, 'the partial seed served nothing')
    assert.deepEqual(leecher.status().bans, [], 'the partial seed was banned')

    await copyFile(original, source)
    const back = new Date(Date.now() + 10_000)
    await utimes(source, back, back)
    await waitFor(() => swarmStatus(seeder, added.contentId).state === 'seeding', 'the restored content to be seeded again', 10_000)
    assert.equal(swarmStatus(seeder, added.contentId).piecesHave, pieces)
    assert.equal(swarmStatus(seeder, added.contentId).error, undefined)
  })

  it('a change made between two checks is caught by the next read of the file: changed bytes are never served', async function () {
    this.timeout(90_000)
    const { source, original } = await sourceAndCopy()
    // no periodic check during the test: only reads can notice
    const seeder = await ctx.nodes.start('seeder', { ...seederConfig, timeouts: { seedCheck: 600_000 } })
    const added = await seeder.add(source)
    // three changed pieces: served, they would get the seeder banned (limits.maxBadPieces)
    for (const index of [4, 5, 9]) await overwrite(source, index * PIECE + 7, Buffer.from('changed'))
    assert.equal(swarmStatus(seeder, added.contentId).state, 'seeding', 'noticed before any read: the test proves nothing')

    // the leecher asks the seeder alone for every piece; a full seed joins once the change is seen
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)] })
    const fetching = fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'seeded.bin'), original)
    await waitFor(() => swarmStatus(seeder, added.contentId).state === 'partial', 'a read to notice the change', 20_000)
    const fullSeed = await ctx.nodes.start('full-seed', { bootstrap: [TestNodes.address(leecher)] })
    await fullSeed.add(original)
    await fetching
    assert.equal(swarmStatus(seeder, added.contentId).piecesHave, added.pieceCount - 3)
    assert.deepEqual(leecher.status().bans, [], 'the seeder served changed bytes')
  })

  it('a folder with one file deleted serves the pieces of the others, and seeds it all once the file is back', async function () {
    this.timeout(60_000)
    const root = await makeFolder(join(ctx.dir, 'src'))
    const seeder = await ctx.nodes.start('seeder', seederConfig)
    const added = await seeder.add(root)
    const deepest = join(root, 'sub', 'deeper', 'deepest', 'c.bin')
    const kept = join(ctx.dir, 'c.bin')
    await copyFile(deepest, kept)
    await rm(deepest)
    await waitFor(() => swarmStatus(seeder, added.contentId).state === 'partial', 'the folder to be served in part', 10_000)
    const partial = swarmStatus(seeder, added.contentId)
    assert.ok(partial.piecesHave > 0 && partial.piecesHave < added.pieceCount, `${partial.piecesHave} of ${added.pieceCount} pieces`)
    // while the file is gone a leecher gets every piece still there; the rest once it is back
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)] })
    const fetching = leecher.get(added.contentId, { output: join(ctx.dir, 'out', 'album') })
    fetching.catch(() => {})
    await waitFor(() => leecher.status().swarms.some(s => s.contentId === added.contentId && s.piecesHave === partial.piecesHave), 'the leecher to get every piece still there', 20_000)
    assert.deepEqual(leecher.status().bans, [])

    await copyFile(kept, deepest)
    const back = new Date(Date.now() + 10_000)
    await utimes(deepest, back, back)
    await waitFor(() => swarmStatus(seeder, added.contentId).state === 'seeding', 'the folder to be seeded whole again', 10_000)
    await fetching
    assert.deepEqual(await sha256Tree(join(ctx.dir, 'out', 'album')), await sha256Tree(root))
  })
})
