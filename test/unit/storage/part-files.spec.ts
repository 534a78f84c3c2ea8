/**
 * A download's files are `<name>.part` until every piece in them is verified, then renamed
 * into place without clobbering anything: through the filesystem store, as the swarm uses it.
 */
import assert from 'node:assert/strict'
import { link, mkdir, readFile, readdir, rename, stat, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { Bitfield } from '../../../src/core/bitfield.js'
import { pieceCount } from '../../../src/core/manifest.js'
import { FsPieceStore } from '../../../src/storage/fs-store.js'
import { fsStorage } from '../../../src/storage/fs-storage.js'
import { partNamed } from '../../../src/storage/part-files.js'
import { tempDir } from '../../helpers/temp.js'
import { isNamedError, makeContent, pieceOf } from '../fixtures.js'
import type { Content } from '../fixtures.js'
import type { FsPieceStoreInit } from '../../../src/storage/fs-store.js'

/** 16 KiB pieces: big.bin is in pieces 0-3, small.txt in piece 3, sub/last.bin in pieces 3-4. */
const FOLDER = [
  { path: 'big.bin', size: 50_000 },
  { path: 'empty', size: 0 },
  { path: 'small.txt', size: 100 },
  { path: 'sub/last.bin', size: 30_000 }
]

describe('storage/part-files (.part names through FsPieceStore)', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const stores: FsPieceStore[] = []
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => {})
    await dir.cleanup()
  })

  function storeFor (content: Content, init: Partial<FsPieceStoreInit> = {}): FsPieceStore {
    const store = new FsPieceStore({ root: join(dir.path, 'root'), manifest: content.manifest, mode: 'write', download: true, fresh: true, ...init })
    stores.push(store)
    return store
  }

  async function files (root = join(dir.path, 'root')): Promise<string[]> {
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => [])
    return entries.filter(e => e.isFile()).map(e => relative(root, join(e.parentPath, e.name))).sort()
  }

  async function write (store: FsPieceStore, content: Content, pieces: number[]): Promise<void> {
    for (const i of pieces) await store.writePiece(i, [pieceOf(content, i)])
  }

  it('writes each file as .part and renames it into place once every piece in it is written', async () => {
    const content = makeContent(FOLDER)
    assert.equal(pieceCount(content.manifest), 5)
    const store = storeFor(content)
    await store.prepare()
    await write(store, content, [0, 4, 1])
    assert.deepEqual(await files(), ['big.bin.part', 'sub/last.bin.part'])
    await write(store, content, [2, 3])
    assert.deepEqual(await files(), ['big.bin', 'small.txt', 'sub/last.bin'], 'piece 3 completes all three')
    // served while being written, and after the rename, through the handles already open
    for (let i = 0; i < 5; i++) assert.ok(Buffer.from(await store.readPiece(i)).equals(pieceOf(content, i)))
    await store.complete()
    assert.deepEqual(await files(), ['big.bin', 'empty', 'small.txt', 'sub/last.bin'], 'the empty file is made at complete, under its own name')
    await store.close()
    for (const [i, file] of content.manifest.files.entries()) assert.ok((await readFile(join(dir.path, 'root', file.path))).equals(content.fileData[i]), file.path)
  })

  it('a single file is <path>.part until complete; its fingerprint is of the file under its present name', async () => {
    const content = makeContent([{ path: 'movie.mkv', size: 40_000 }])
    const path = join(dir.path, 'movie.mkv')
    const store = storeFor(content, { root: path })
    await store.prepare()
    await write(store, content, [0])
    assert.deepEqual(await readdir(dir.path), ['movie.mkv.part'])
    assert.equal((await store.fingerprints())[0][0], 16 * 1024)
    await write(store, content, [2, 1])
    assert.deepEqual(await readdir(dir.path), ['movie.mkv'])
    assert.equal((await store.fingerprints())[0][0], 40_000)
  })

  it('a final name taken meanwhile is not clobbered: the write fails naming both paths and the .part stays', async () => {
    const content = makeContent([{ path: 'movie.mkv', size: 20_000 }])
    const path = join(dir.path, 'movie.mkv')
    const store = storeFor(content, { root: path })
    await write(store, content, [0])
    await writeFile(path, 'appeared')
    await assert.rejects(write(store, content, [1]), isNamedError('PathError', /movie\.mkv appeared while the download was writing .*movie\.mkv\.part: it is not overwritten; the download keeps .*movie\.mkv\.part/))
    assert.equal(await readFile(path, 'utf8'), 'appeared')
    assert.equal((await stat(`${path}.part`)).size, 20_000)
  })

  it('a .part name already there is not written into by a fresh download', async () => {
    const content = makeContent([{ path: 'movie.mkv', size: 20_000 }])
    const path = join(dir.path, 'movie.mkv')
    await writeFile(`${path}.part`, 'not ours')
    await assert.rejects(write(storeFor(content, { root: path }), content, [0]), isNamedError('PathError', /movie\.mkv\.part appeared while the download was starting/))
    assert.equal(await readFile(`${path}.part`, 'utf8'), 'not ours')
  })

  it('going on after a restart: files found under their .part names; a complete one still .part (a crash before the rename) is renamed at prepare', async () => {
    const content = makeContent(FOLDER)
    const first = storeFor(content)
    await write(first, content, [0, 1, 2])
    const reader = storeFor(content, { mode: 'read', fresh: false })
    assert.ok(Buffer.from(await reader.readPiece(1)).equals(pieceOf(content, 1)), 'a reader finds big.bin.part')
    assert.equal((await reader.fingerprints())[0][0], 3 * 16 * 1024, 'the fingerprint is of big.bin.part')
    await write(first, content, [3])
    await first.close()
    // as if the node died between writing piece 3 and renaming big.bin
    await rename(join(dir.path, 'root', 'big.bin'), join(dir.path, 'root', 'big.bin.part'))
    const have = new Bitfield(5)
    for (const i of [0, 1, 2, 3]) have.set(i)
    const resumed = storeFor(content, { fresh: false, have })
    await resumed.prepare()
    assert.deepEqual(await files(), ['big.bin', 'small.txt', 'sub/last.bin.part'])
    assert.ok(Buffer.from(await resumed.readPiece(3)).equals(pieceOf(content, 3)))
  })

  it('both names on one file (a crash between link and unlink): prepare keeps the file and drops the .part name', async () => {
    const content = makeContent([{ path: 'movie.mkv', size: 20_000 }])
    const path = join(dir.path, 'movie.mkv')
    await writeFile(path, content.fileData[0])
    await link(path, `${path}.part`)
    const store = storeFor(content, { root: path, fresh: false, have: Bitfield.full(2) })
    await store.prepare()
    assert.deepEqual(await readdir(dir.path), ['movie.mkv'])
  })

  it('a download begun without .part names (an older Shoal) goes on in place', async () => {
    const content = makeContent([{ path: 'movie.mkv', size: 40_000 }])
    const path = join(dir.path, 'movie.mkv')
    await writeFile(path, content.fileData[0].subarray(0, 16 * 1024))
    const have = new Bitfield(3)
    have.set(0)
    const store = storeFor(content, { root: path, fresh: false, have })
    await store.prepare()
    await write(store, content, [1, 2])
    assert.deepEqual(await readdir(dir.path), ['movie.mkv'])
    assert.ok((await readFile(path)).equals(content.fileData[0]))
  })

  it('remove deletes what the download made (complete files, .part files, its empty folders), never a file put beside them', async () => {
    const content = makeContent(FOLDER)
    const store = storeFor(content)
    await write(store, content, [0, 4])
    await writeFile(join(dir.path, 'root', 'notes.txt'), 'mine')
    await store.remove()
    assert.deepEqual(await files(), ['notes.txt'])
    assert.deepEqual(await readdir(join(dir.path, 'root')), ['notes.txt'], 'sub/ is gone, root stays as it is not empty')
    // a final name that is not ours (the rename failed) stays too
    const single = makeContent([{ path: 'movie.mkv', size: 20_000 }])
    const path = join(dir.path, 'movie.mkv')
    const other = storeFor(single, { root: path })
    await write(other, single, [0])
    await writeFile(path, 'appeared')
    await assert.rejects(write(other, single, [1]))
    await other.remove()
    assert.deepEqual((await readdir(dir.path)).sort(), ['movie.mkv', 'root'])
    assert.equal(await readFile(path, 'utf8'), 'appeared')
  })

  it('remove refuses a store over added files; nothing is made after close', async () => {
    const content = makeContent(FOLDER)
    await assert.rejects(storeFor(content, { mode: 'read', download: false }).remove(), isNamedError('StorageError', /never removed/))
    const store = storeFor(content)
    await store.close()
    await assert.rejects(write(store, content, [0]), isNamedError('StorageError'))
    assert.deepEqual(await files(), [])
  })

  it('a file whose .part name is another file (or folder) of the content keeps its own name', () => {
    const content = makeContent([{ path: 'a', size: 10 }, { path: 'a.part', size: 10 }, { path: 'b', size: 10 }, { path: 'b.part/x', size: 10 }, { path: 'c', size: 0 }])
    assert.deepEqual(partNamed(content.manifest, true), [false, true, false, true, false])
    assert.deepEqual(partNamed(content.manifest, false), [false, false, false, false, false])
  })

  describe('fsStorage', () => {
    it('claimPath: the .part name beside the path must be free too, and --force clears both', async () => {
      const path = join(dir.path, 'movie.mkv')
      await writeFile(`${path}.part`, 'left')
      await assert.rejects(fsStorage.claimPath(path, { replace: false, taken: (p) => `${p} is taken` }), isNamedError('PathError', /movie\.mkv\.part is taken/))
      await fsStorage.claimPath(path, { replace: true, taken: (p) => p })
      assert.deepEqual(await readdir(dir.path), [])
    })

    it('isPartialOutput: a .part alone, or a folder missing a file under its own name; not a whole output', async () => {
      const single = makeContent([{ path: 'movie.mkv', size: 100 }])
      const path = join(dir.path, 'movie.mkv')
      assert.equal(await fsStorage.isPartialOutput(path, single.manifest), false)
      await writeFile(`${path}.part`, 'x')
      assert.equal(await fsStorage.isPartialOutput(path, single.manifest), true)
      await writeFile(path, single.fileData[0])
      assert.equal(await fsStorage.isPartialOutput(path, single.manifest), false)

      const folder = makeContent(FOLDER)
      const root = join(dir.path, 'album')
      for (const [i, file] of folder.manifest.files.entries()) {
        await mkdir(dirname(join(root, file.path)), { recursive: true })
        await writeFile(join(root, file.path), folder.fileData[i])
      }
      assert.equal(await fsStorage.isPartialOutput(root, folder.manifest), false)
      await rename(join(root, 'big.bin'), join(root, 'big.bin.part'))
      assert.equal(await fsStorage.isPartialOutput(root, folder.manifest), true)
    })
  })
})
