import assert from 'node:assert/strict'
import { mkdir, open, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { contentIdOf } from '../../../src/core/content-id.js'
import { decodeManifest, pieceCount, totalSize } from '../../../src/core/manifest.js'
import { ADDING } from '../../../src/config/defaults.js'
import { FsPieceStore } from '../../../src/storage/fs-store.js'
import { choosePieceSize, importContent } from '../../../src/storage/import-content.js'
import { MemoryPieceStore } from '../../../src/storage/memory-store.js'
import { verifyStoredPieces } from '../../../src/storage/verify.js'
import { randomFile, tempDir } from '../../helpers/temp.js'
import { isNamedError, pieceHashesOf } from '../fixtures.js'

const KiB = 1024
const MiB = 1024 * KiB
const GiB = 1024 * MiB

/** A folder tree with nested folders, empty files and unicode names; sizes by path. */
const TREE: Record<string, number> = {
  'b.txt': 100,
  'Z.txt': 3,
  'a/x.bin': 70_000,
  'a/empty': 0,
  'a/y/z/deep.bin': 1,
  'ß/日本語.txt': 10,
  'é.txt': 20_000,
  'empty-at-end-ÿ': 0
}

/** Byte-wise (UTF-8) order, which is what makes the manifest the same on every system. */
const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b))

describe('storage/import-content', () => {
  let dir: { path: string, cleanup: () => Promise<void> }

  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })

  async function makeTree (root: string, tree: Record<string, number> = TREE): Promise<void> {
    for (const [path, size] of Object.entries(tree)) {
      await mkdir(dirname(join(root, path)), { recursive: true })
      await randomFile(join(root, path), size)
    }
  }

  async function flipByte (path: string, position: number): Promise<void> {
    const handle = await open(path, 'r+')
    try {
      const byte = Buffer.alloc(1)
      await handle.read(byte, 0, 1, position)
      byte[0] ^= 0xff
      await handle.write(byte, 0, 1, position)
    } finally {
      await handle.close()
    }
  }

  describe('a single file', () => {
    it('gives a file manifest named after it, with the right size and piece hashes', async () => {
      const path = join(dir.path, 'data.bin')
      await randomFile(path, 100_000)
      const imported = await importContent(path, { adding: ADDING, pieceSize: 16 * KiB })
      const { manifest } = imported
      assert.equal(manifest.name, 'data.bin')
      assert.equal(manifest.directory, false)
      assert.deepEqual(manifest.files, [{ path: 'data.bin', size: 100_000 }])
      assert.equal(manifest.pieceSize, 16 * KiB)
      assert.equal(pieceCount(manifest), 7)
      assert.deepEqual(manifest.pieceHashes, pieceHashesOf(await readFile(path), 16 * KiB))
      assert.equal(imported.root, path)
    })

    it('the same file twice gives the same content id and manifest bytes', async () => {
      const path = join(dir.path, 'data.bin')
      await randomFile(path, 300_000)
      const a = await importContent(path, { adding: ADDING })
      const b = await importContent(path, { adding: ADDING })
      assert.equal(a.contentId.toString(), b.contentId.toString())
      assert.deepEqual(a.manifestBytes, b.manifestBytes)
    })

    it('the content id is the CID of the manifest bytes, which decode to the manifest', async () => {
      const path = join(dir.path, 'data.bin')
      await randomFile(path, 1000)
      const imported = await importContent(path, { adding: ADDING })
      assert.ok(contentIdOf(imported.manifestBytes).equals(imported.contentId))
      assert.deepEqual(decodeManifest(imported.manifestBytes), imported.manifest)
    })

    it('changing one byte changes the content id', async () => {
      const path = join(dir.path, 'data.bin')
      await randomFile(path, 50_000)
      const before = await importContent(path, { adding: ADDING })
      await flipByte(path, 49_999)
      const after = await importContent(path, { adding: ADDING })
      assert.notEqual(after.contentId.toString(), before.contentId.toString())
    })

    it('the same bytes under another name give another content id', async () => {
      const path = join(dir.path, 'data.bin')
      await randomFile(path, 5000)
      const before = await importContent(path, { adding: ADDING })
      await rename(path, join(dir.path, 'renamed.bin'))
      const after = await importContent(join(dir.path, 'renamed.bin'), { adding: ADDING })
      assert.notEqual(after.contentId.toString(), before.contentId.toString())
    })

    it('an empty file gives a manifest with no pieces', async () => {
      const path = join(dir.path, 'empty')
      await writeFile(path, '')
      const { manifest } = await importContent(path, { adding: ADDING })
      assert.equal(pieceCount(manifest), 0)
      assert.deepEqual(manifest.files, [{ path: 'empty', size: 0 }])
    })
  })

  describe('a folder', () => {
    it('lists every file, sorted by path, with its size', async () => {
      const root = join(dir.path, 'my folder')
      await makeTree(root)
      const { manifest } = await importContent(root, { adding: ADDING, pieceSize: 16 * KiB })
      assert.equal(manifest.name, 'my folder')
      assert.equal(manifest.directory, true)
      const expected = Object.keys(TREE).sort(byUtf8).map(path => ({ path, size: TREE[path] }))
      assert.deepEqual(manifest.files, expected)
      // spelled out: upper case before lower case, ASCII before the rest, then by UTF-8 bytes
      // (ß is C3 9F, é is C3 A9), folders by their path
      assert.deepEqual(manifest.files.map(f => f.path), ['Z.txt', 'a/empty', 'a/x.bin', 'a/y/z/deep.bin', 'b.txt', 'empty-at-end-ÿ', 'ß/日本語.txt', 'é.txt'])
      assert.equal(totalSize(manifest), 90_114)
    })

    it('its pieces hash-check against the files in place', async () => {
      const root = join(dir.path, 'content')
      await makeTree(root)
      const { manifest } = await importContent(root, { adding: ADDING, pieceSize: 16 * KiB })
      assert.equal(pieceCount(manifest), 6)
      const store = new FsPieceStore({ root, manifest, mode: 'read' })
      try {
        const have = await verifyStoredPieces(store, manifest)
        assert.equal(have.count, pieceCount(manifest))
        assert.equal(have.complete, true)
      } finally {
        await store.close()
      }
    })

    it('is deterministic, and changing one byte changes the id', async () => {
      const root = join(dir.path, 'content')
      await makeTree(root)
      const first = await importContent(root, { adding: ADDING })
      assert.equal((await importContent(root, { adding: ADDING })).contentId.toString(), first.contentId.toString())
      await flipByte(join(root, 'a/y/z/deep.bin'), 0)
      assert.notEqual((await importContent(root, { adding: ADDING })).contentId.toString(), first.contentId.toString())
    })

    it('an added empty file changes the id', async () => {
      const root = join(dir.path, 'content')
      await makeTree(root)
      const first = await importContent(root, { adding: ADDING })
      await writeFile(join(root, 'a/new-empty'), '')
      assert.notEqual((await importContent(root, { adding: ADDING })).contentId.toString(), first.contentId.toString())
    })

    it('an empty folder is a PathError', async () => {
      await mkdir(join(dir.path, 'nothing/inside'), { recursive: true })
      await assert.rejects(importContent(join(dir.path, 'nothing'), { adding: ADDING }), isNamedError('PathError', /no files/))
    })
  })

  describe('errors', () => {
    it('a missing path is a PathError naming it', async () => {
      await assert.rejects(importContent(join(dir.path, 'nope'), { adding: ADDING }), isNamedError('PathError', /nope: no such file or folder/))
    })

    it('an aborted signal stops the import', async () => {
      const path = join(dir.path, 'data.bin')
      await randomFile(path, 100_000)
      await assert.rejects(importContent(path, { adding: ADDING, signal: AbortSignal.abort() }))
    })
  })

  describe('symbolic links and names', () => {
    it('skips symbolic links inside a folder and lists them, unless asked to follow them', async () => {
      const root = join(dir.path, 'tree')
      await makeTree(root, { 'plain.txt': 10, 'sub/kept.bin': 5 })
      const secret = join(dir.path, 'id_ed25519')
      await writeFile(secret, 'private key')
      await symlink(secret, join(root, 'sub', 'key'))
      await symlink(join(dir.path, 'missing'), join(root, 'dangling'))

      const skipping = await importContent(root, { adding: ADDING })
      assert.deepEqual(skipping.manifest.files.map(f => f.path), ['plain.txt', 'sub/kept.bin'])
      assert.deepEqual(skipping.skippedLinks, ['dangling', 'sub/key'])

      await rm(join(root, 'dangling'))
      const following = await importContent(root, { adding: ADDING, followSymlinks: true })
      assert.deepEqual(following.manifest.files.map(f => f.path), ['plain.txt', 'sub/kept.bin', 'sub/key'])
      assert.deepEqual(following.skippedLinks, [])
    })

    it('a path given itself is followed when it is a link', async () => {
      const target = join(dir.path, 'real.bin')
      await randomFile(target, 1000)
      await symlink(target, join(dir.path, 'link.bin'))
      const imported = await importContent(join(dir.path, 'link.bin'), { adding: ADDING })
      assert.equal(imported.manifest.files[0].size, 1000)
    })

    it('refuses, before hashing, a folder whose names are one file on macOS and Windows', async () => {
      const root = join(dir.path, 'cases')
      await makeTree(root, { README: 1, readme: 1 })
      await assert.rejects(importContent(root, { adding: ADDING }), isNamedError('PathError', /cannot be added: "README" and "readme" are one name on case-insensitive file systems/))
      await rm(root, { recursive: true })
      await makeTree(root, { 'caf\u00e9': 1, 'cafe\u0301': 1 })
      await assert.rejects(importContent(root, { adding: ADDING }), isNamedError('PathError', /one name/))
    })
  })

  describe('verifyStoredPieces', () => {
    it('reports a piece whose bytes changed on disk as missing, and only that one', async () => {
      const root = join(dir.path, 'content')
      await makeTree(root)
      const { manifest } = await importContent(root, { adding: ADDING, pieceSize: 16 * KiB })
      // a/x.bin starts at byte 3 (after Z.txt) and a/empty: byte 20_000 of it is in piece 1
      await flipByte(join(root, 'a/x.bin'), 20_000)
      const store = new FsPieceStore({ root, manifest, mode: 'read' })
      try {
        const have = await verifyStoredPieces(store, manifest)
        assert.equal(have.has(1), false)
        assert.equal(have.count, pieceCount(manifest) - 1)
      } finally {
        await store.close()
      }
    })

    it('counts unreadable pieces as absent', async () => {
      const root = join(dir.path, 'content')
      await makeTree(root)
      const { manifest } = await importContent(root, { adding: ADDING, pieceSize: 16 * KiB })
      const store = new MemoryPieceStore(manifest)
      const have = await verifyStoredPieces(store, manifest)
      assert.equal(have.count, 0)
    })
  })

  describe('choosePieceSize', () => {
    const { minAutoPieceSize: minPieceSize, maxAutoPieceSize: maxPieceSize, targetPieceCount } = ADDING

    it('is 256 KiB for small content', () => {
      assert.equal(minPieceSize, 256 * KiB)
      for (const total of [0, 1, 1000, 100 * MiB, 512 * MiB]) assert.equal(choosePieceSize(total, ADDING), 256 * KiB, `total ${total}`)
    })

    it('doubles as content grows past the piece-count target', () => {
      assert.equal(targetPieceCount, 2048)
      assert.equal(choosePieceSize(512 * MiB + 1, ADDING), 512 * KiB)
      assert.equal(choosePieceSize(1 * GiB, ADDING), 512 * KiB)
      assert.equal(choosePieceSize(1 * GiB + 1, ADDING), 1 * MiB)
      assert.equal(choosePieceSize(4 * GiB, ADDING), 2 * MiB)
      assert.equal(choosePieceSize(20 * GiB, ADDING), 16 * MiB)
    })

    it('is capped at 16 MiB', () => {
      assert.equal(maxPieceSize, 16 * MiB)
      for (const total of [32 * GiB + 1, 1024 * GiB, Number.MAX_SAFE_INTEGER]) assert.equal(choosePieceSize(total, ADDING), 16 * MiB)
    })

    it('is always a power of two, never shrinks as content grows, and keeps the count at the target below the cap', () => {
      let previous = 0
      for (let total = 0; total < 64 * GiB; total = Math.floor(total * 1.37) + 12_345) {
        const size = choosePieceSize(total, ADDING)
        assert.equal(size & (size - 1), 0, `${size} for ${total}`)
        assert.ok(size >= previous, `shrank at ${total}`)
        if (size < maxPieceSize) assert.ok(Math.ceil(total / size) <= targetPieceCount, `too many pieces at ${total}`)
        if (size > minPieceSize) assert.ok(Math.ceil(total / (size / 2)) > targetPieceCount, `not the smallest at ${total}`)
        previous = size
      }
    })

    it('is what importContent uses when no piece size is given', async () => {
      const path = join(dir.path, 'data.bin')
      await randomFile(path, 1000)
      assert.equal((await importContent(path, { adding: ADDING })).manifest.pieceSize, 256 * KiB)
      assert.equal((await importContent(path, { adding: ADDING, pieceSize: 0 })).manifest.pieceSize, 256 * KiB)
    })
  })
})
