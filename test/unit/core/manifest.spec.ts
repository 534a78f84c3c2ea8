import assert from 'node:assert/strict'
import {
  MANIFEST_LIMITS, MANIFEST_VERSION, PIECE_HASH_LENGTH,
  checkRelativePath, decodeManifest, encodeManifest, pieceCount, pieceHash, pieceLength, totalSize, validateManifest
} from '../../../src/core/manifest.js'
import { Uint8ArrayList } from 'uint8arraylist'
import { Manifest as ManifestCodec } from '../../../src/core/pb/manifest.js'
import { isNamedError, makeContent, sha256 } from '../fixtures.js'
import type { Manifest } from '../../../src/core/manifest.js'

const KiB = 1024

/** Encode with the raw codec, skipping validation: how a hostile peer would make bytes. */
function rawEncode (manifest: Manifest): Uint8Array {
  return ManifestCodec.encode({
    version: manifest.version,
    name: manifest.name,
    directory: manifest.directory,
    pieceSize: manifest.pieceSize,
    files: manifest.files.map(f => ({ path: f.path, size: f.size })),
    pieceHashes: manifest.pieceHashes as Uint8Array<ArrayBuffer>
  })
}

/** A valid folder manifest over `paths`, one byte each, then changed by `change`. */
function folder (paths: string[], change: Partial<Manifest> = {}): Manifest {
  const { manifest } = makeContent(paths.map(path => ({ path, size: 1 })), { directory: true, name: 'content' })
  return { ...manifest, ...change }
}

const invalid = (message?: RegExp): ((err: unknown) => boolean) => isNamedError('InvalidManifestError', message)

function assertDecodeRejects (manifest: Manifest, message?: RegExp): void {
  assert.throws(() => decodeManifest(rawEncode(manifest)), invalid(message))
}

/** A '/'-separated path of exactly `length` characters, with components of at most 255. */
function pathOfLength (length: number): string {
  const parts: string[] = []
  for (let left = length; left > 0;) {
    const take = left <= MANIFEST_LIMITS.maxComponentLength ? left : Math.min(MANIFEST_LIMITS.maxComponentLength, left - 2)
    parts.push('p'.repeat(take))
    left -= take + 1
  }
  const path = parts.join('/')
  assert.equal(path.length, length)
  return path
}

describe('core/manifest', () => {
  describe('encode/decode', () => {
    it('round-trips a single-file manifest', () => {
      const { manifest } = makeContent([{ path: 'movie.mkv', size: 100_000 }])
      const decoded = decodeManifest(encodeManifest(manifest))
      assert.deepEqual(decoded, manifest)
    })

    it('round-trips a folder manifest with nested paths, empty files and unicode names', () => {
      const { manifest } = makeContent([
        { path: 'a/b/c.txt', size: 3 },
        { path: 'a/empty', size: 0 },
        { path: 'café/日本語.txt', size: 40_000 },
        { path: 'z', size: 0 }
      ], { name: 'dossier-é' })
      const decoded = decodeManifest(encodeManifest(manifest))
      assert.deepEqual(decoded, manifest)
      assert.equal(decoded.directory, true)
    })

    it('round-trips a manifest of one empty file (no pieces)', () => {
      const { manifest } = makeContent([{ path: 'empty.txt', size: 0 }])
      assert.equal(manifest.pieceHashes.byteLength, 0)
      const decoded = decodeManifest(encodeManifest(manifest))
      assert.deepEqual(decoded, manifest)
      assert.equal(pieceCount(decoded), 0)
    })

    it('is deterministic: equal manifests give identical bytes', () => {
      const { manifest } = makeContent([{ path: 'x', size: 5 }, { path: 'y', size: 70_000 }])
      const copy: Manifest = {
        pieceHashes: manifest.pieceHashes.slice(),
        files: manifest.files.map(f => ({ size: f.size, path: f.path })),
        pieceSize: manifest.pieceSize,
        directory: manifest.directory,
        name: manifest.name,
        version: manifest.version
      }
      assert.deepEqual(encodeManifest(copy), encodeManifest(manifest))
    })

    it('encodeManifest validates too', () => {
      const { manifest } = makeContent([{ path: 'x', size: 5 }])
      assert.throws(() => encodeManifest({ ...manifest, version: 2 }), invalid(/version/))
    })
  })

  describe('decode rejects', () => {
    it('bytes that are not a protobuf manifest', () => {
      assert.throws(() => decodeManifest(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), invalid())
      assert.throws(() => decodeManifest(new Uint8Array(0)), invalid())
    })

    it('non-canonical bytes: a default-valued field written out', () => {
      const { manifest } = makeContent([{ path: 'x', size: 5 }])
      const canonical = encodeManifest(manifest)
      // field 3 (directory), varint 0: decodes to the same manifest, but is not the canonical form
      const padded = Uint8Array.from([...canonical, 0x18, 0x00])
      assert.deepEqual(ManifestCodec.decode(padded).name, manifest.name)
      assert.throws(() => decodeManifest(padded), invalid(/canonical/))
    })

    it('non-canonical bytes: an unknown field appended', () => {
      const { manifest } = makeContent([{ path: 'x', size: 5 }])
      const extra = Uint8Array.from([...encodeManifest(manifest), 0x78, 0x01]) // field 15, varint 1
      assert.throws(() => decodeManifest(extra), invalid(/canonical/))
    })

    it('non-canonical bytes: a field repeated with the same value', () => {
      const { manifest } = makeContent([{ path: 'x', size: 5 }])
      const name = Buffer.from(manifest.name)
      const repeated = Uint8Array.from([...encodeManifest(manifest), 0x12, name.byteLength, ...name])
      assert.throws(() => decodeManifest(repeated), invalid(/canonical/))
    })

    for (const version of [0, 2, 255]) {
      it(`version ${version}`, () => {
        const { manifest } = makeContent([{ path: 'x', size: 5 }])
        assertDecodeRejects({ ...manifest, version }, /version/)
      })
    }

    for (const pieceSize of [0, 1000, 20 * KiB, 8 * KiB, 32 * 1024 * KiB, 3 * 16 * KiB]) {
      it(`piece size ${pieceSize}`, () => {
        const { manifest } = makeContent([{ path: 'x', size: 5 }])
        assertDecodeRejects({ ...manifest, pieceSize }, /piece size/)
      })
    }

    it('accepts the smallest and largest allowed piece sizes', () => {
      for (const pieceSize of [MANIFEST_LIMITS.minPieceSize, MANIFEST_LIMITS.maxPieceSize]) {
        const { manifest } = makeContent([{ path: 'x', size: 5 }], { pieceSize })
        assert.deepEqual(decodeManifest(encodeManifest(manifest)), manifest)
      }
    })

    it('piece hashes of the wrong length', () => {
      const { manifest } = makeContent([{ path: 'x', size: 40 * KiB }]) // 3 pieces of 16 KiB
      assert.equal(manifest.pieceHashes.byteLength, 3 * PIECE_HASH_LENGTH)
      const hashes = manifest.pieceHashes
      for (const wrong of [hashes.subarray(0, 64), Uint8Array.from([...hashes, ...new Uint8Array(32)]), hashes.subarray(0, 95), new Uint8Array(0)]) {
        assertDecodeRejects({ ...manifest, pieceHashes: wrong }, /piece hashes/)
      }
    })

    it('a manifest with no files', () => {
      assertDecodeRejects(folder(['a'], { files: [], pieceHashes: new Uint8Array(0) }), /no files/)
    })

    it('a file size above 2^53', () => {
      const { manifest } = makeContent([{ path: 'x', size: 5 }])
      // by hand: the codec itself cannot write a size it could not read back
      // path 'x', then size 2^60 as a varint: eight 0x80 bytes and 0x10
      const file = new Uint8ArrayList(Uint8Array.of(0x0a, 1, 0x78, 0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10))
      const bytes = new Uint8ArrayList(ManifestCodec.encode({
        version: 1, name: 'x', directory: false, pieceSize: manifest.pieceSize, files: [],
        pieceHashes: manifest.pieceHashes as Uint8Array<ArrayBuffer>
      }), Uint8Array.of(0x2a, file.byteLength), file.subarray()).subarray()
      assert.throws(() => decodeManifest(bytes), invalid(/does not decode|below 2\^53/))
    })

    it('keeps file sizes from 2^31 to 2^32 (protons-runtime\'s bigint writer wrote them as zeros)', () => {
      for (const size of [2 ** 31, 3 * 2 ** 30, 2 ** 32 - 1, 2 ** 32, 5 * 2 ** 30]) {
        const pieceSize = 16 * 1024 * 1024
        const manifest: Manifest = { version: 1, name: 'big.bin', directory: false, pieceSize, files: [{ path: 'big.bin', size }], pieceHashes: new Uint8Array(Math.ceil(size / pieceSize) * 32) }
        assert.equal(decodeManifest(encodeManifest(manifest)).files[0].size, size)
      }
    })

    const unsafePaths: Array<[string, string]> = [
      ['parent component', '../x'],
      ['parent component in the middle', 'a/../b'],
      ['bare parent', '..'],
      ['bare dot', '.'],
      ['dot component', 'a/./b'],
      ['absolute path', '/abs'],
      ['empty component', 'a//b'],
      ['trailing slash', 'a/'],
      ['empty path', ''],
      ['NUL', 'a\u0000b'],
      ['newline', 'a\nb'],
      ['escape', 'a\u001b[31mb'],
      ['unit separator', 'a\u001fb'],
      ['backslash', 'a\\b'],
      ['backslash parent', '..\\x'],
      ['component of 256 characters', 'd/' + 'n'.repeat(256)],
      ['path over 4096 characters', pathOfLength(MANIFEST_LIMITS.maxPathLength + 1)],
      ['path 65 levels deep', Array.from({ length: MANIFEST_LIMITS.maxDepth + 1 }, () => 'd').join('/')]
    ]
    for (const [what, path] of unsafePaths) {
      it(`an unsafe path: ${what}`, () => {
        assertDecodeRejects(folder(['ok', path]))
        assert.throws(() => { validateManifest(folder([path])) }, invalid())
      })
    }

    // Unicode's control characters (category Cc) are U+0000-U+001F, U+007F and U+0080-U+009F;
    // U+009B is CSI, which some terminals treat like ESC [ when a name is printed.
    for (const [what, path] of [['DEL (U+007F)', 'a\u007fb'], ['C1 control CSI (U+009B)', 'a\u009bb']]) {
      it(`an unsafe path: control character ${what}`, () => {
        assertDecodeRejects(folder(['ok', path]))
      })
    }

    it('accepts paths right at the limits', () => {
      const longest = pathOfLength(MANIFEST_LIMITS.maxPathLength)
      const deepest = Array.from({ length: MANIFEST_LIMITS.maxDepth }, () => 'd').join('/')
      const widest = 'n'.repeat(MANIFEST_LIMITS.maxComponentLength)
      const manifest = folder([longest, deepest + 'x', widest])
      assert.deepEqual(decodeManifest(encodeManifest(manifest)), manifest)
    })

    for (const name of ['', '..', '.', 'a/b', 'a\\b', 'a\u0000', 'n'.repeat(256)]) {
      it(`an unsafe content name ${JSON.stringify(name.slice(0, 10))}`, () => {
        assertDecodeRejects(folder(['ok'], { name }), /name/)
        const { manifest } = makeContent([{ path: 'ok', size: 1 }])
        assertDecodeRejects({ ...manifest, name, files: [{ path: name, size: 1 }] })
      })
    }

    it('a path listed twice', () => {
      assertDecodeRejects(folder(['a', 'b', 'a']), /twice/)
      assertDecodeRejects(folder(['d/x', 'd/x']), /twice/)
    })

    it('a path that is both a file and a folder', () => {
      assertDecodeRejects(folder(['a', 'a/b']), /both a file and a folder/)
      assertDecodeRejects(folder(['x/y', 'x/y/z']), /both a file and a folder/)
      // the folder seen first, the file second
      assertDecodeRejects(folder(['a/b', 'a']))
    })

    it('a single-file manifest whose file path is not its name', () => {
      const { manifest } = makeContent([{ path: 'a.txt', size: 10 }])
      assertDecodeRejects({ ...manifest, files: [{ path: 'b.txt', size: 10 }] }, /single-file/)
    })

    it('a single-file manifest with two files', () => {
      const { manifest } = makeContent([{ path: 'a.txt', size: 1 }, { path: 'b.txt', size: 1 }], { directory: false, name: 'a.txt' })
      assertDecodeRejects(manifest, /single-file/)
    })

    it('input over maxSize, before decoding it', () => {
      const { manifest } = makeContent([{ path: 'x', size: 100 * KiB }])
      const bytes = encodeManifest(manifest)
      assert.throws(() => decodeManifest(bytes, bytes.byteLength - 1), invalid(/over the limit/))
      assert.throws(() => decodeManifest(new Uint8Array(2048).fill(0xff), 1024), invalid(/over the limit/))
      assert.deepEqual(decodeManifest(bytes, bytes.byteLength), manifest)
    })
  })

  describe('checkRelativePath', () => {
    it('returns the components of a safe path', () => {
      assert.deepEqual(checkRelativePath('a/b c/d.txt'), ['a', 'b c', 'd.txt'])
      assert.deepEqual(checkRelativePath('...'), ['...'])
      assert.deepEqual(checkRelativePath('.hidden/..x'), ['.hidden', '..x'])
    })
  })

  describe('sizes', () => {
    const content = makeContent([{ path: 'a', size: 50_000 }, { path: 'b', size: 0 }, { path: 'c', size: 50_000 }])
    const { manifest } = content

    it('totalSize sums the files', () => {
      assert.equal(totalSize(manifest), 100_000)
    })

    it('pieceCount is the number of 32-byte hashes', () => {
      assert.equal(pieceCount(manifest), Math.ceil(100_000 / (16 * KiB)))
      assert.equal(pieceCount(manifest), 7)
    })

    it('pieceLength is the piece size except for a shorter last piece', () => {
      for (let i = 0; i < 6; i++) assert.equal(pieceLength(manifest, i), 16 * KiB)
      assert.equal(pieceLength(manifest, 6), 100_000 - 6 * 16 * KiB)
      let sum = 0
      for (let i = 0; i < pieceCount(manifest); i++) sum += pieceLength(manifest, i)
      assert.equal(sum, totalSize(manifest))
    })

    it('the last piece is whole when the total is a multiple of the piece size', () => {
      const exact = makeContent([{ path: 'x', size: 3 * 16 * KiB }]).manifest
      assert.equal(pieceCount(exact), 3)
      assert.equal(pieceLength(exact, 2), 16 * KiB)
    })

    it('pieceHash is the SHA-256 of that piece', () => {
      for (let i = 0; i < pieceCount(manifest); i++) {
        const piece = content.data.subarray(i * manifest.pieceSize, (i + 1) * manifest.pieceSize)
        assert.deepEqual(Buffer.from(pieceHash(manifest, i)), sha256(piece))
      }
    })

    it('MANIFEST_VERSION is 1', () => {
      assert.equal(MANIFEST_VERSION, 1)
    })
  })
})
