/**
 * Whatever piece count the manifest rules allow trades between honest nodes: at the largest
 * one (a manifest of `limits.maxManifestSize`, 16 KiB pieces) the bitfields no longer fit
 * in one 64 KiB handshake frame and go in parts, and neither side takes the other for a
 * breaker of the protocol. Kept small in bytes and time: the content is a sparse file of
 * zeros, both nodes start from records (the seeder complete, the leecher missing a few
 * pieces spread over the whole range, the last one included), so only those pieces move.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdir, open } from 'node:fs/promises'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { Bitfield } from '../../src/core/bitfield.js'
import { contentIdOf } from '../../src/core/content-id.js'
import { MANIFEST_LIMITS, MANIFEST_VERSION, PIECE_HASH_LENGTH, encodeManifest } from '../../src/core/manifest.js'
import { fsStorage } from '../../src/storage/fs-storage.js'
import { FileSwarmRecords } from '../../src/swarm/records.js'
import { bitfieldFitsInHandshake } from '../../protocols/piece-exchange/handshake.js'
import { swarmStatus, useTestContext, waitFor } from './helpers/context.js'
import type { Manifest } from '../../src/core/manifest.js'

const MiB = 1024 * 1024
const PIECE = MANIFEST_LIMITS.minPieceSize
/** The last piece is short, so its hash differs from every other's. */
const LAST_PIECE = 1000
const NAME = 'big.bin'

interface ZeroContent {
  manifest: Manifest
  bytes: Uint8Array
  contentId: string
  pieceCount: number
  size: number
}

/** All-zero content with the most 16 KiB pieces whose manifest stays within `maxManifestSize`. */
function largestZeroContent (maxManifestSize: number): ZeroContent {
  const build = (pieceCount: number): { manifest: Manifest, bytes: Uint8Array } => {
    const size = (pieceCount - 1) * PIECE + LAST_PIECE
    const hashes = new Uint8Array(pieceCount * PIECE_HASH_LENGTH)
    const whole = createHash('sha256').update(new Uint8Array(PIECE)).digest()
    for (let i = 0; i < pieceCount - 1; i++) hashes.set(whole, i * PIECE_HASH_LENGTH)
    hashes.set(createHash('sha256').update(new Uint8Array(LAST_PIECE)).digest(), (pieceCount - 1) * PIECE_HASH_LENGTH)
    const manifest: Manifest = { version: MANIFEST_VERSION, name: NAME, directory: false, pieceSize: PIECE, files: [{ path: NAME, size }], pieceHashes: hashes }
    return { manifest, bytes: encodeManifest(manifest) }
  }
  // the manifest is its piece hashes and a few dozen bytes more: measure those, then fill up
  const probe = Math.floor(maxManifestSize / PIECE_HASH_LENGTH) - 8
  const overhead = build(probe).bytes.byteLength - probe * PIECE_HASH_LENGTH
  const pieceCount = Math.floor((maxManifestSize - overhead) / PIECE_HASH_LENGTH)
  const { manifest, bytes } = build(pieceCount)
  assert.ok(bytes.byteLength <= maxManifestSize && bytes.byteLength + PIECE_HASH_LENGTH > maxManifestSize, 'not the largest piece count')
  return { manifest, bytes, contentId: contentIdOf(bytes).toString(), pieceCount, size: manifest.files[0].size }
}

describe('integration: content at the largest piece count the manifest rules allow', function () {
  const ctx = useTestContext('large')

  /** A sparse file of zeros of the content's size at `dir/big.bin`. */
  async function sparseFile (dir: string, size: number): Promise<string> {
    await mkdir(dir, { recursive: true })
    const path = join(dir, NAME)
    const handle = await open(path, 'w')
    await handle.truncate(size)
    await handle.close()
    return path
  }

  /** Remember `content` in `name`'s data folder as the node would: seeding it whole, or downloading it with `have`. */
  async function remember (name: string, content: ZeroContent, path: string, have?: Bitfield): Promise<void> {
    const records = new FileSwarmRecords(join(ctx.dir, 'nodes', name))
    await mkdir(join(ctx.dir, 'nodes', name), { recursive: true })
    await records.saveManifest(content.contentId, content.bytes)
    if (have === undefined) {
      const files = await fsStorage.open({ root: path, manifest: content.manifest, mode: 'read' }).fingerprints()
      await records.saveList([{ contentId: content.contentId, path, origin: 'seed', files }])
    } else {
      await records.have(content.contentId).save(have)
      await records.saveList([{ contentId: content.contentId, path, origin: 'download' }])
    }
  }

  for (const [label, maxManifestSize] of [['the default limits.maxManifestSize (16 MiB)', 16 * MiB], ['the largest limits.maxManifestSize a config may set (256 MiB)', 256 * MiB]] as const) {
    it(`${label}: the handshakes go in parts, nobody is banned, and the missing pieces arrive`, async function () {
      this.timeout(180_000)
      const started = Date.now()
      const content = largestZeroContent(maxManifestSize)
      assert.equal(bitfieldFitsInHandshake(36, content.pieceCount), false, 'the bitfield would fit in one frame: the test proves nothing')
      // the first and last pieces, the middle one, and the first past a one-frame handshake's reach
      const missing = [0, 1, Math.floor(content.pieceCount / 2), 523_889, content.pieceCount - 2, content.pieceCount - 1]
      const have = Bitfield.full(content.pieceCount)
      for (const index of missing) have.unset(index)

      await remember('seeder', content, await sparseFile(join(ctx.dir, 'seed'), content.size))
      await remember('leecher', content, await sparseFile(join(ctx.dir, 'out'), content.size), have)
      const limits = { maxManifestSize }
      const seeder = await ctx.nodes.start('seeder', { dht: { enabled: false }, limits })
      assert.equal(swarmStatus(seeder, content.contentId).state, 'seeding')
      const leecher = await ctx.nodes.start('leecher', { dht: { enabled: false }, limits, bootstrap: [TestNodes.address(seeder)] })
      const prepared = Date.now()

      const noBans = (): void => {
        assert.deepEqual(leecher.status().bans, [], 'the leecher banned an honest seeder')
        assert.deepEqual(seeder.status().bans, [], 'the seeder banned an honest leecher')
      }
      await waitFor(() => {
        noBans()
        return swarmStatus(leecher, content.contentId).state === 'seeding'
      }, 'the leecher completes', 60_000, 100)
      const traded = Date.now()
      const leeched = swarmStatus(leecher, content.contentId)
      assert.equal(leeched.piecesHave, content.pieceCount)
      assert.equal(leeched.downloaded, (missing.length - 1) * PIECE + LAST_PIECE)
      assert.equal(swarmStatus(seeder, content.contentId).uploaded, leeched.downloaded)
      noBans()
      process.stderr.write(`      (${content.pieceCount} pieces, a ${(content.bytes.byteLength / MiB).toFixed(1)} MiB manifest, bitfields of ${Math.ceil(content.pieceCount / 8)} bytes: set up in ${prepared - started} ms, traded in ${traded - prepared} ms, rss ${Math.round(process.memoryUsage().rss / MiB)} MiB)\n`)
    })
  }
})
