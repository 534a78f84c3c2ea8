import assert from 'node:assert/strict'
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Bitfield } from '../../../src/core/bitfield.js'
import { FsPieceStore } from '../../../src/storage/fs-store.js'
import { tempDir } from '../../helpers/temp.js'
import { makeContent, pieceOf } from '../fixtures.js'

// pieces of 16 KiB: c.bin is in pieces 0 and 1, top.txt in pieces 1 and 2 (piece 1 is shared)
const content = makeContent([
  { path: 'a/b/c.bin', size: 30_000 },
  { path: 'a/empty', size: 0 },
  { path: 'top.txt', size: 10_000 }
], { name: 'root', directory: true })
const TOP_ONLY = [false, false, true]

async function exists (path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false)
}

describe('storage/fs-store: selected files', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let store: FsPieceStore | undefined
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => {
    await store?.close()
    await dir.cleanup()
  })

  it('writes only the selected files\' bytes of a shared piece: the other file is never made; the selected one is renamed from .part once whole', async () => {
    const root = join(dir.path, 'root')
    store = new FsPieceStore({ root, manifest: content.manifest, mode: 'write', fresh: true, download: true })
    await store.prepare()
    await store.writePiece(1, [pieceOf(content, 1)], TOP_ONLY)
    assert.deepEqual(await readdir(root), ['top.txt.part'], 'nothing of a/ is made')
    await store.writePiece(2, [pieceOf(content, 2)], TOP_ONLY)
    await store.complete(TOP_ONLY)
    assert.deepEqual(await readdir(root), ['top.txt'])
    assert.ok((await readFile(join(root, 'top.txt'))).equals(content.fileData[2]))
    // the whole content later: the shared piece again, whole, completes c.bin without counting top.txt twice
    await store.writePiece(0, [pieceOf(content, 0)])
    await store.writePiece(1, [pieceOf(content, 1)])
    await store.complete()
    assert.ok((await readFile(join(root, 'a/b/c.bin'))).equals(content.fileData[0]))
    assert.equal(await exists(join(root, 'a/b/c.bin.part')), false)
    assert.equal(await exists(join(root, 'a/empty')), true)
  })

  it('a store reopened with the pieces kept in part counts them for the selected files only', async () => {
    const root = join(dir.path, 'root')
    const first = new FsPieceStore({ root, manifest: content.manifest, mode: 'write', fresh: true, download: true })
    await first.writePiece(1, [pieceOf(content, 1)], TOP_ONLY)
    await first.close()
    const partial = new Bitfield(3)
    partial.set(1)
    store = new FsPieceStore({ root, manifest: content.manifest, mode: 'write', download: true, have: new Bitfield(3), partial: { pieces: partial, selected: TOP_ONLY } })
    await store.prepare()
    await store.writePiece(2, [pieceOf(content, 2)], TOP_ONLY)
    assert.deepEqual(await readdir(root), ['top.txt'], 'top.txt is whole with the piece kept in part before the restart')
  })
})
