/**
 * One suite, run against every PieceStore: what the swarm relies on when it writes verified
 * pieces and serves them back.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { pieceCount, pieceLength } from '../../../src/core/manifest.js'
import { FsPieceStore } from '../../../src/storage/fs-store.js'
import { MemoryPieceStore } from '../../../src/storage/memory-store.js'
import { tempDir } from '../../helpers/temp.js'
import { isNamedError, makeContent, pieceOf, seededRandom, splitOddly, within } from '../fixtures.js'
import type { Content } from '../fixtures.js'
import type { PieceStore } from '../../../src/storage/piece-store.js'

interface Harness {
  store: PieceStore
  cleanup: () => Promise<void>
}

type StoreFactory = (content: Content) => Promise<Harness>

/** Pieces run across files: empty files first, in the middle and last; a short last piece. */
const FOLDER = [
  { path: 'a-empty', size: 0 },
  { path: 'a.txt', size: 5000 },
  { path: 'b-empty', size: 0 },
  { path: 'sub/big.bin', size: 40_000 },
  { path: 'sub/one', size: 1 },
  { path: 'sub/x/deep.bin', size: 20_000 },
  { path: 'z-empty', size: 0 }
]

/** Every piece index of `content`, in `order`. */
function indexes (content: Content, order: 'forward' | 'reverse' = 'forward'): number[] {
  const all = [...Array(pieceCount(content.manifest)).keys()]
  return order === 'forward' ? all : all.reverse()
}

/** Uneven chunks with some empty ones mixed in. */
function chunksOf (bytes: Uint8Array, random: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (const chunk of splitOddly(bytes, random)) {
    if (random() < 0.2) chunks.push(new Uint8Array(0))
    chunks.push(chunk)
  }
  return chunks
}

async function writeAll (store: PieceStore, content: Content, order: 'forward' | 'reverse' = 'forward', random = seededRandom(11)): Promise<void> {
  for (const i of indexes(content, order)) await store.writePiece(i, chunksOf(pieceOf(content, i), random))
}

async function assertAllPieces (store: PieceStore, content: Content): Promise<void> {
  for (const i of indexes(content)) {
    const piece = await store.readPiece(i)
    assert.equal(piece.byteLength, pieceLength(content.manifest, i), `length of piece ${i}`)
    assert.ok(Buffer.from(piece).equals(pieceOf(content, i)), `bytes of piece ${i}`)
  }
}

function pieceStoreSuite (name: string, factory: StoreFactory): void {
  describe(name, () => {
    const harnesses: Harness[] = []

    async function open (content: Content): Promise<PieceStore> {
      const harness = await factory(content)
      harnesses.push(harness)
      await harness.store.prepare()
      return harness.store
    }

    afterEach(async () => {
      for (const harness of harnesses.splice(0)) await harness.cleanup()
    })

    it('reads back every piece of a folder, written in uneven chunks', async () => {
      const content = makeContent(FOLDER)
      assert.equal(pieceCount(content.manifest), 4)
      const store = await open(content)
      await writeAll(store, content)
      await store.flush()
      await assertAllPieces(store, content)
    })

    it('reads back pieces written in reverse order', async () => {
      const content = makeContent(FOLDER)
      const store = await open(content)
      await writeAll(store, content, 'reverse')
      await assertAllPieces(store, content)
    })

    it('reads back pieces written concurrently', async () => {
      const content = makeContent(FOLDER)
      const store = await open(content)
      const random = seededRandom(5)
      await Promise.all(indexes(content).map(async i => { await store.writePiece(i, chunksOf(pieceOf(content, i), random)) }))
      await Promise.all(indexes(content).map(async i => {
        assert.ok(Buffer.from(await store.readPiece(i)).equals(pieceOf(content, i)), `piece ${i}`)
      }))
    })

    it('takes a piece as one chunk, or as one chunk per byte', async () => {
      const content = makeContent(FOLDER)
      const store = await open(content)
      await store.writePiece(0, [pieceOf(content, 0)])
      const bytes = pieceOf(content, 2) // runs across three files
      await store.writePiece(2, Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))
      assert.ok(Buffer.from(await store.readPiece(0)).equals(pieceOf(content, 0)))
      assert.ok(Buffer.from(await store.readPiece(2)).equals(bytes))
    })

    it('stores a single file', async () => {
      const content = makeContent([{ path: 'single.bin', size: 50_000 }])
      const store = await open(content)
      await writeAll(store, content)
      await assertAllPieces(store, content)
    })

    it('a piece over many tiny files', async () => {
      const files = Array.from({ length: 40 }, (_, i) => ({ path: `f/${String(i).padStart(2, '0')}`, size: i % 4 === 0 ? 0 : 700 }))
      const content = makeContent(files)
      const store = await open(content)
      await writeAll(store, content)
      await assertAllPieces(store, content)
    })

    it('the last, short piece has its own length', async () => {
      const content = makeContent(FOLDER)
      const last = pieceCount(content.manifest) - 1
      const store = await open(content)
      await store.writePiece(last, [pieceOf(content, last)])
      const piece = await store.readPiece(last)
      assert.equal(piece.byteLength, 65_001 - 3 * 16 * 1024)
      assert.ok(Buffer.from(piece).equals(pieceOf(content, last)))
    })

    it('a piece written again replaces the old bytes', async () => {
      const content = makeContent(FOLDER)
      const store = await open(content)
      await store.writePiece(1, [Buffer.alloc(pieceLength(content.manifest, 1), 0xaa)])
      await store.writePiece(1, [pieceOf(content, 1)])
      assert.ok(Buffer.from(await store.readPiece(1)).equals(pieceOf(content, 1)))
    })

    it('writing one piece leaves its neighbours alone', async () => {
      const content = makeContent(FOLDER)
      const store = await open(content)
      await writeAll(store, content)
      await store.writePiece(1, [Buffer.alloc(pieceLength(content.manifest, 1), 0x55)])
      assert.ok(Buffer.from(await store.readPiece(0)).equals(pieceOf(content, 0)))
      assert.ok(Buffer.from(await store.readPiece(2)).equals(pieceOf(content, 2)))
    })

    it('refuses a piece shorter than its length with StorageError', async () => {
      const content = makeContent(FOLDER)
      const store = await open(content)
      const short = pieceOf(content, 0).subarray(0, 100)
      await assert.rejects(within(store.writePiece(0, [short]), 2000, 'writePiece of a short piece'), isNamedError('StorageError'))
    })

    it('refuses a piece longer than its length with StorageError', async () => {
      const content = makeContent(FOLDER)
      const store = await open(content)
      const long = Buffer.concat([pieceOf(content, 0), Buffer.alloc(10)])
      await assert.rejects(within(store.writePiece(0, [long]), 2000, 'writePiece of a long piece'), isNamedError('StorageError'))
    })

    it('flush and close succeed after writes', async () => {
      const content = makeContent(FOLDER)
      const store = await open(content)
      await writeAll(store, content)
      await store.flush()
      await store.flush()
      await store.close()
    })

    it('syncAll succeeds with some files not made yet, and after every write', async () => {
      const content = makeContent(FOLDER)
      const store = await open(content)
      await store.writePiece(0, [pieceOf(content, 0)])
      await store.syncAll()
      await writeAll(store, content)
      await store.syncAll()
      assert.deepEqual(await store.readPiece(0), pieceOf(content, 0))
      await store.close()
    })
  })
}

describe('storage/piece-store (one suite, every store)', () => {
  pieceStoreSuite('FsPieceStore (mode write)', async (content) => {
    const dir = await tempDir()
    const store = new FsPieceStore({ root: join(dir.path, content.manifest.name), manifest: content.manifest, mode: 'write' })
    return {
      store,
      cleanup: async () => {
        await store.close().catch(() => {})
        await dir.cleanup()
      }
    }
  })

  pieceStoreSuite('FsPieceStore (mode write, one open file at a time)', async (content) => {
    const dir = await tempDir()
    const store = new FsPieceStore({ root: join(dir.path, content.manifest.name), manifest: content.manifest, mode: 'write', maxOpenFiles: 1 })
    return {
      store,
      cleanup: async () => {
        await store.close().catch(() => {})
        await dir.cleanup()
      }
    }
  })

  pieceStoreSuite('FsPieceStore (a fresh download: .part names, one open file at a time)', async (content) => {
    const dir = await tempDir()
    const store = new FsPieceStore({ root: join(dir.path, content.manifest.name), manifest: content.manifest, mode: 'write', fresh: true, download: true, maxOpenFiles: 1 })
    return {
      store,
      cleanup: async () => {
        await store.close().catch(() => {})
        await dir.cleanup()
      }
    }
  })

  pieceStoreSuite('MemoryPieceStore', async (content) => {
    const store = new MemoryPieceStore(content.manifest)
    return { store, cleanup: async () => { await store.close() } }
  })
})
