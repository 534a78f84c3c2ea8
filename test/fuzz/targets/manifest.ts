/**
 * decodeManifest against arbitrary bytes, mutated valid manifests and hostile but well-formed
 * ones (unsafe names, lying sizes and hash lengths): it fails only with InvalidManifestError,
 * refuses anything over its size cap, and what it accepts is canonical and safe to write.
 */
import { resolve, sep } from 'node:path'
import fc from 'fast-check'
import { Manifest as ManifestCodec } from '../../../src/core/pb/manifest.js'
import { decodeManifest, encodeManifest, pieceCount, totalSize, PIECE_HASH_LENGTH } from '../../../src/core/manifest.js'
import { FuzzFailure, bytes, check, expectNamed, mutated } from '../target.js'
import type { FuzzTarget } from '../target.js'
import type { Manifest } from '../../../src/core/manifest.js'

const CAP = 64 * 1024
const ROOT = resolve('/fuzz-root')

const name = fc.oneof(
  { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9._-]{1,12}$/) },
  { weight: 2, arbitrary: fc.constantFrom('', '.', '..', 'a/b', '../x', 'a\\b', 'x\u0000y', 'tab\tname', '\u009b', 'ok', 'é', 'x'.repeat(256), 'é'.repeat(128)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }
)
const path = fc.oneof(
  { weight: 4, arbitrary: fc.array(name, { minLength: 1, maxLength: 4 }).map(parts => parts.join('/')) },
  { weight: 1, arbitrary: fc.constantFrom('/etc/passwd', 'a//b', 'a/', '/a', 'a/./b', 'a/../../b') }
)
const pieceSize = fc.oneof(fc.constantFrom(16 * 1024, 32 * 1024, 256 * 1024, 16 * 1024 * 1024, 32 * 1024 * 1024, 0, 1000), fc.nat({ max: 0xffffffff }))
// sizes the number codec can write (bigger ones come from the mutated and raw byte inputs)
const size = fc.oneof(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom(0, 2 ** 31, 2 ** 32 - 1, 2 ** 53 - 1))

/** Manifests as a peer could encode them, skipping our validation. */
const hostile = fc.record({
  version: fc.oneof(fc.constant(1), fc.nat({ max: 0xffffffff })),
  name,
  directory: fc.boolean(),
  pieceSize,
  files: fc.array(fc.record({ path, size }), { maxLength: 6 }),
  hashCount: fc.oneof(fc.constant(-1), fc.nat({ max: 12 }))
}).map(m => {
  // -1: as many hashes as the sizes call for (when that is small), else an arbitrary count
  const total = m.files.reduce((sum, f) => sum + f.size, 0)
  const needed = m.pieceSize > 0 && total < 2 ** 20 ? Math.ceil(total / m.pieceSize) : 0
  const files = m.directory || m.files.length === 0 ? m.files : [{ path: m.name, size: m.files[0].size }]
  const count = m.hashCount === -1 ? needed : m.hashCount
  return ManifestCodec.encode({ version: m.version, name: m.name, directory: m.directory, pieceSize: m.pieceSize, files, pieceHashes: new Uint8Array(count * PIECE_HASH_LENGTH) })
})

function assertSafe (manifest: Manifest, input: Uint8Array): void {
  if (input.byteLength > CAP) throw new FuzzFailure(`accepted ${input.byteLength} bytes, over the cap of ${CAP}`)
  if (!Buffer.from(encodeManifest(manifest)).equals(input)) throw new FuzzFailure('accepted bytes that are not the canonical encoding')
  if (manifest.pieceHashes.byteLength !== Math.ceil(totalSize(manifest) / manifest.pieceSize) * PIECE_HASH_LENGTH) throw new FuzzFailure('hash count does not match the sizes')
  if (pieceCount(manifest) > 0 && (manifest.pieceSize & (manifest.pieceSize - 1)) !== 0) throw new FuzzFailure(`piece size ${manifest.pieceSize}`)
  for (const p of [manifest.name, ...manifest.files.map(f => f.path)]) {
    const target = resolve(ROOT, ...p.split('/'))
    const parts = p.split('/')
    if (!target.startsWith(ROOT + sep) || parts.some(c => c === '' || c === '.' || c === '..' || c.includes('\\') || /[\x00-\x1f]/.test(c))) {
      throw new FuzzFailure(`accepted an unsafe path ${JSON.stringify(p)}`)
    }
  }
}

const input = fc.oneof(hostile, mutated(hostile), bytes())

export const manifestTarget: FuzzTarget = {
  name: 'manifest',
  description: 'decodeManifest (64 KiB cap): arbitrary, mutated and hostile encodings',
  run: async (runs, seed) => await check(fc.property(input, (data) => {
    let manifest: Manifest
    try {
      manifest = decodeManifest(data, CAP)
    } catch (err) {
      expectNamed(err, ['InvalidManifestError'], 'decodeManifest')
      return
    }
    assertSafe(manifest, data)
  }), runs, seed)
}
