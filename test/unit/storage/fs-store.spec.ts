import assert from 'node:assert/strict'
import { mkdir, readFile, readdir, stat, symlink, truncate, unlink, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { MANIFEST_VERSION, pieceCount } from '../../../src/core/manifest.js'
import { FsPieceStore } from '../../../src/storage/fs-store.js'
import { tempDir } from '../../helpers/temp.js'
import { isNamedError, makeContent, pieceOf } from '../fixtures.js'
import type { Content } from '../fixtures.js'
import type { Manifest } from '../../../src/core/manifest.js'
import type { FsPieceStoreInit } from '../../../src/storage/fs-store.js'

const FOLDER = [
  { path: 'a/b/c.bin', size: 30_000 },
  { path: 'a/empty', size: 0 },
  { path: 'top.txt', size: 10_000 },
  { path: 'z/empty-too', size: 0 }
]

describe('storage/fs-store', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const stores: FsPieceStore[] = []

  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => {})
    await dir.cleanup()
  })

  function storeFor (content: Content | Manifest, init: Partial<FsPieceStoreInit> = {}): FsPieceStore {
    const manifest = 'manifest' in content ? content.manifest : content
    const store = new FsPieceStore({ root: join(dir.path, 'root'), manifest, mode: 'write', ...init })
    stores.push(store)
    return store
  }

  /** Put `content`'s files on disk under `root`, as a seeder has them. */
  async function writeFiles (content: Content, root: string): Promise<void> {
    for (const [i, file] of content.manifest.files.entries()) {
      const path = content.manifest.directory ? join(root, file.path) : root
      await mkdir(dirname(path), { recursive: true })
      await writeFile(path, content.fileData[i])
    }
  }

  /** A manifest object with `path` in it, built directly so no validation stops it. */
  function unsafeManifest (path: string): Manifest {
    return { version: MANIFEST_VERSION, name: 'root', directory: true, pieceSize: 16 * 1024, files: [{ path, size: 10 }], pieceHashes: new Uint8Array(32) }
  }

  describe('prepare (mode write)', () => {
    async function writeAll (store: FsPieceStore, content: Content): Promise<void> {
      for (let i = pieceCount(content.manifest) - 1; i >= 0; i--) await store.writePiece(i, [pieceOf(content, i)])
    }

    it('creates nothing: each file is made as its first piece lands, the empty ones by complete()', async () => {
      const content = makeContent(FOLDER)
      const store = storeFor(content, { fresh: true })
      await store.prepare()
      assert.deepEqual(await readdir(dir.path), [], 'prepare created something')
      await store.writePiece(0, [pieceOf(content, 0)])
      assert.deepEqual(await readdir(join(dir.path, 'root')), ['a'])
      await writeAll(store, content)
      await store.complete()
      for (const file of content.manifest.files) {
        const info = await stat(join(dir.path, 'root', file.path))
        assert.ok(info.isFile(), file.path)
        assert.equal(info.size, file.size, file.path)
      }
    })

    it('a fresh store takes pieces written at the same time: its folder is made once', async () => {
      const content = makeContent(FOLDER)
      const store = storeFor(content, { fresh: true })
      await store.prepare()
      await Promise.all(Array.from({ length: pieceCount(content.manifest) }, async (_, i) => { await store.writePiece(i, [pieceOf(content, i)]) }))
      await store.complete()
      await store.close()
      for (const [i, file] of content.manifest.files.entries()) {
        assert.ok((await readFile(join(dir.path, 'root', file.path))).equals(content.fileData[i]), file.path)
      }
    })

    it('content of empty files only is made at prepare (no piece will come)', async () => {
      const content = makeContent([{ path: 'a/empty', size: 0 }, { path: 'b', size: 0 }])
      await storeFor(content, { fresh: true }).prepare()
      assert.equal((await stat(join(dir.path, 'root', 'a', 'empty'))).size, 0)
      assert.equal((await stat(join(dir.path, 'root', 'b'))).size, 0)
    })

    it('resuming, cuts back a file longer than the manifest; a shorter one fills in', async () => {
      const content = makeContent(FOLDER)
      const root = join(dir.path, 'root')
      await mkdir(join(root, 'a/b'), { recursive: true })
      await writeFile(join(root, 'a/b/c.bin'), Buffer.alloc(50_000, 1))
      await writeFile(join(root, 'top.txt'), 'short')
      await storeFor(content).prepare()
      assert.equal((await stat(join(root, 'a/b/c.bin'))).size, 30_000)
      assert.equal((await stat(join(root, 'top.txt'))).size, 5)
    })

    it('a single file is the root path itself', async () => {
      const content = makeContent([{ path: 'movie.bin', size: 40_000 }])
      const store = storeFor(content, { root: join(dir.path, 'movie.bin'), fresh: true })
      assert.equal(store.filePath(0), join(dir.path, 'movie.bin'))
      await store.prepare()
      await writeAll(store, content)
      assert.equal((await stat(join(dir.path, 'movie.bin'))).size, 40_000)
    })

    it('after every piece is written, the files on disk are the content', async () => {
      const content = makeContent(FOLDER)
      const store = storeFor(content)
      await store.prepare()
      await writeAll(store, content)
      await store.complete()
      await store.close()
      for (const [i, file] of content.manifest.files.entries()) {
        assert.ok((await readFile(join(dir.path, 'root', file.path))).equals(content.fileData[i]), file.path)
      }
    })
  })

  describe('nothing is written through a symbolic link', () => {
    it('a link planted where a file goes is refused, and its target is untouched', async () => {
      const content = makeContent(FOLDER)
      const victim = join(dir.path, 'victim.txt')
      await writeFile(victim, 'keep me')
      await mkdir(join(dir.path, 'root'))
      await symlink(victim, join(dir.path, 'root', 'top.txt'))
      const last = pieceCount(content.manifest) - 1
      await assert.rejects(storeFor(content).writePiece(last, [pieceOf(content, last)]), isNamedError('PathError', /top.txt is a symbolic link: nothing is written through it/))
      // a fresh download does not even enter a folder that was there before it
      await assert.rejects(storeFor(content, { fresh: true }).writePiece(last, [pieceOf(content, last)]), isNamedError('PathError'))
      assert.equal(await readFile(victim, 'utf8'), 'keep me')
    })

    it('a link planted where a folder goes is refused, and nothing is made through it', async () => {
      const content = makeContent(FOLDER)
      const elsewhere = join(dir.path, 'elsewhere')
      await mkdir(elsewhere)
      await mkdir(join(dir.path, 'root'))
      await symlink(elsewhere, join(dir.path, 'root', 'a'))
      await assert.rejects(storeFor(content).writePiece(0, [pieceOf(content, 0)]), isNamedError('PathError', /root\/a is a symbolic link/))
      assert.deepEqual(await readdir(elsewhere), [])
    })

    it('an output that is itself a link is refused', async () => {
      const content = makeContent([{ path: 'movie.bin', size: 40_000 }])
      const victim = join(dir.path, 'victim.bin')
      await writeFile(victim, 'keep me')
      await symlink(victim, join(dir.path, 'movie.bin'))
      const store = storeFor(content, { root: join(dir.path, 'movie.bin') })
      await assert.rejects(store.prepare().then(async () => { await store.writePiece(0, [pieceOf(content, 0)]) }), isNamedError('PathError', /symbolic link/))
      assert.equal(await readFile(victim, 'utf8'), 'keep me')
    })

    it('a fresh download creates its folder and files exclusively: one that appeared meanwhile is not written into', async () => {
      const content = makeContent(FOLDER)
      await mkdir(join(dir.path, 'root'))
      await writeFile(join(dir.path, 'root', 'top.txt'), 'not ours')
      const last = pieceCount(content.manifest) - 1
      await assert.rejects(storeFor(content, { fresh: true }).writePiece(last, [pieceOf(content, last)]), isNamedError('PathError', /root appeared while the download was starting: it is not written into/))
      const single = makeContent([{ path: 'top.txt', size: 100 }])
      await assert.rejects(storeFor(single, { fresh: true, root: join(dir.path, 'root', 'top.txt') }).writePiece(0, [pieceOf(single, 0)]), isNamedError('PathError', /top.txt appeared while the download was starting: it is not overwritten/))
      assert.equal(await readFile(join(dir.path, 'root', 'top.txt'), 'utf8'), 'not ours')
    })
  })

  describe('mode read', () => {
    it('serves the files in place', async () => {
      const content = makeContent(FOLDER)
      await writeFiles(content, join(dir.path, 'root'))
      const store = storeFor(content, { mode: 'read' })
      await store.prepare()
      for (let i = 0; i < pieceCount(content.manifest); i++) {
        assert.ok(Buffer.from(await store.readPiece(i)).equals(pieceOf(content, i)), `piece ${i}`)
      }
    })

    it('prepare creates nothing', async () => {
      const content = makeContent(FOLDER)
      await storeFor(content, { mode: 'read' }).prepare()
      assert.deepEqual(await readdir(dir.path), [])
    })

    it('refuses to write, with StorageError, and leaves the file alone', async () => {
      const content = makeContent(FOLDER)
      await writeFiles(content, join(dir.path, 'root'))
      const store = storeFor(content, { mode: 'read' })
      await assert.rejects(store.writePiece(0, [Buffer.alloc(16 * 1024)]), isNamedError('StorageError', /does not write/))
      assert.ok((await readFile(join(dir.path, 'root/a/b/c.bin'))).equals(content.fileData[0]))
    })

    it('a truncated file gives StorageError naming it', async () => {
      const content = makeContent(FOLDER)
      await writeFiles(content, join(dir.path, 'root'))
      await truncate(join(dir.path, 'root/top.txt'), 100)
      const store = storeFor(content, { mode: 'read' })
      // piece 0 lies in a/b/c.bin only; piece 2 ends in top.txt
      assert.ok(Buffer.from(await store.readPiece(0)).equals(pieceOf(content, 0)))
      await assert.rejects(store.readPiece(2), isNamedError('StorageError', /top\.txt/))
    })

    it('serving while unchanged: a read from a file changed since (size or time) fails with ContentChangedError and reports it', async () => {
      const content = makeContent(FOLDER)
      const root = join(dir.path, 'root')
      await writeFiles(content, root)
      const store = storeFor(content, { mode: 'read' })
      const files = await Promise.all(content.manifest.files.map(async f => { const s = await stat(join(root, f.path)); return [s.size, Math.floor(s.mtimeMs)] as [number, number] }))
      let changes = 0
      store.serveWhileUnchanged(files, () => { changes++ })
      assert.ok(Buffer.from(await store.readPiece(2)).equals(pieceOf(content, 2)))
      // same bytes, new time: the store cannot tell, and refuses (a re-verify decides)
      const later = new Date(Date.now() + 5000)
      await utimes(join(root, 'top.txt'), later, later)
      assert.ok(Buffer.from(await store.readPiece(0)).equals(pieceOf(content, 0)), 'a piece of an unchanged file is still served')
      await assert.rejects(store.readPiece(2), isNamedError('ContentChangedError', /top\.txt changed since its pieces were verified/))
      assert.equal(changes, 1)
    })

    it('a missing file gives StorageError naming it', async () => {
      const content = makeContent(FOLDER)
      await writeFiles(content, join(dir.path, 'root'))
      await unlink(join(dir.path, 'root/top.txt'))
      const store = storeFor(content, { mode: 'read' })
      await assert.rejects(store.readPiece(2), isNamedError('StorageError', /top\.txt/))
    })
  })

  describe('paths stay inside the root', () => {
    for (const path of ['../escaped', 'a/../../escaped', '../root-sibling/x', '.']) {
      it(`filePath refuses ${JSON.stringify(path)} with PathError`, () => {
        const store = storeFor(unsafeManifest(path))
        assert.throws(() => store.filePath(0), isNamedError('PathError'))
      })
    }

    it('prepare and writePiece refuse such a path and create nothing outside the root', async () => {
      const store = storeFor(unsafeManifest('../escaped'))
      await assert.rejects(store.prepare(), isNamedError('PathError'))
      await assert.rejects(store.writePiece(0, [Buffer.alloc(10)]), isNamedError('PathError'))
      assert.deepEqual(await readdir(dir.path), [])
    })

    it('an absolute path in the manifest still lands inside the root', () => {
      const store = storeFor(unsafeManifest('/etc/passwd'))
      assert.equal(store.filePath(0), join(dir.path, 'root/etc/passwd'))
    })

    it('a safe nested path resolves under the root', () => {
      const content = makeContent(FOLDER)
      assert.equal(storeFor(content).filePath(0), join(dir.path, 'root/a/b/c.bin'))
    })
  })

  describe('open file limit', () => {
    it('reads many files correctly with one handle at a time, concurrently', async () => {
      const files = Array.from({ length: 24 }, (_, i) => ({ path: `d${i % 3}/f${i}`, size: 3000 + i }))
      const content = makeContent(files)
      await writeFiles(content, join(dir.path, 'root'))
      const store = storeFor(content, { mode: 'read', maxOpenFiles: 1 })
      const count = pieceCount(content.manifest)
      const pieces = await Promise.all(Array.from({ length: count }, async (_, i) => await store.readPiece(i)))
      pieces.forEach((piece, i) => { assert.ok(Buffer.from(piece).equals(pieceOf(content, i)), `piece ${i}`) })
    })

    it('a handle in use is not closed under it: concurrent checked reads of more files than handles', async () => {
      // small pieces over many files: each read spans files, and each span's handle is checked
      // (fstat) after its read, while other reads evict
      const files = Array.from({ length: 8 }, (_, i) => ({ path: `f${i}`, size: 5000 + i }))
      const content = makeContent(files, { pieceSize: 16 * 1024 })
      await writeFiles(content, join(dir.path, 'root'))
      for (const maxOpenFiles of [1, 2]) {
        const store = storeFor(content, { mode: 'read', maxOpenFiles })
        let changed = false
        store.serveWhileUnchanged(await store.fingerprints(), () => { changed = true })
        const count = pieceCount(content.manifest)
        for (let round = 0; round < 4; round++) {
          const pieces = await Promise.all(Array.from({ length: count }, async (_, i) => await store.readPiece(i)))
          pieces.forEach((piece, i) => { assert.ok(Buffer.from(piece).equals(pieceOf(content, i)), `piece ${i}`) })
        }
        assert.equal(changed, false)
      }
    })

    it('a handle in use is not closed under it: concurrent writes of more files than handles', async () => {
      const files = Array.from({ length: 8 }, (_, i) => ({ path: `f${i}`, size: 5000 + i }))
      const content = makeContent(files, { pieceSize: 16 * 1024 })
      const store = storeFor(content, { fresh: true, download: true, maxOpenFiles: 2 })
      await store.prepare()
      const count = pieceCount(content.manifest)
      await Promise.all(Array.from({ length: count }, async (_, i) => { await store.writePiece(i, [pieceOf(content, i)]) }))
      await store.complete()
      await store.close()
      for (const [i, file] of content.manifest.files.entries()) {
        assert.ok((await readFile(join(dir.path, 'root', file.path))).equals(content.fileData[i]), file.path)
      }
    })
  })
})
