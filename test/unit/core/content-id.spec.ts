import assert from 'node:assert/strict'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 as mfSha256, sha512 } from 'multiformats/hashes/sha2'
import { MANIFEST_CODEC, contentIdOf, matchesContentId, parseContentId } from '../../../src/core/content-id.js'
import { encodeManifest } from '../../../src/core/manifest.js'
import { isNamedError, makeContent, sha256 } from '../fixtures.js'

const invalidId = isNamedError('InvalidContentIdError', /content id/)
const DAG_PB = 0x70

function manifestBytes (): Uint8Array {
  return encodeManifest(makeContent([{ path: 'file.bin', size: 1000 }]).manifest)
}

describe('core/content-id', () => {
  describe('contentIdOf', () => {
    it('gives the same CID for the same bytes', () => {
      const bytes = manifestBytes()
      const a = contentIdOf(bytes)
      const b = contentIdOf(Uint8Array.from(bytes))
      assert.ok(a.equals(b))
      assert.equal(a.toString(), b.toString())
    })

    it('gives different CIDs for different bytes, even one bit apart', () => {
      const bytes = manifestBytes()
      const flipped = Uint8Array.from(bytes)
      flipped[flipped.length - 1] ^= 1
      assert.notEqual(contentIdOf(bytes).toString(), contentIdOf(flipped).toString())
      assert.notEqual(contentIdOf(bytes).toString(), contentIdOf(manifestBytes()).toString())
    })

    it('is a CIDv1, raw codec, whose SHA-256 digest is of the manifest bytes', () => {
      const bytes = manifestBytes()
      const cid = contentIdOf(bytes)
      assert.equal(cid.version, 1)
      assert.equal(cid.code, MANIFEST_CODEC)
      assert.equal(MANIFEST_CODEC, 0x55)
      assert.equal(cid.multihash.code, mfSha256.code)
      assert.deepEqual(Buffer.from(cid.multihash.digest), sha256(bytes))
      assert.match(cid.toString(), /^bafkrei[a-z2-7]+$/)
    })
  })

  describe('parseContentId', () => {
    const cid = contentIdOf(manifestBytes())

    it('accepts the string form', () => {
      assert.ok(parseContentId(cid.toString()).equals(cid))
    })

    it('accepts the string form with surrounding whitespace', () => {
      assert.ok(parseContentId(`  ${cid.toString()}\n`).equals(cid))
    })

    it('accepts the binary form', () => {
      assert.ok(parseContentId(cid.bytes).equals(cid))
    })

    for (const garbage of ['', 'hello', 'bafkrei', 'bafkreinotbase32!!!', cidWithTypo()]) {
      it(`rejects the string ${JSON.stringify(garbage.slice(0, 20))}`, () => {
        assert.throws(() => parseContentId(garbage), invalidId)
      })
    }

    it('rejects bytes that are not a CID', () => {
      assert.throws(() => parseContentId(Uint8Array.of(0xff, 0x00, 0x13)), invalidId)
      assert.throws(() => parseContentId(new Uint8Array(0)), invalidId)
      assert.throws(() => parseContentId(cid.bytes.subarray(0, cid.bytes.length - 3)), invalidId)
    })

    it('rejects a CIDv0, as a string and as bytes', () => {
      const v0 = CID.createV0(Digest.create(mfSha256.code, sha256(manifestBytes())))
      assert.match(v0.toString(), /^Qm/)
      assert.throws(() => parseContentId(v0.toString()), invalidId)
      assert.throws(() => parseContentId(v0.bytes), invalidId)
    })

    it('rejects a CIDv1 with another codec', () => {
      const other = CID.createV1(DAG_PB, cid.multihash)
      assert.throws(() => parseContentId(other.toString()), invalidId)
      assert.throws(() => parseContentId(other.bytes), invalidId)
    })

    it('rejects a CIDv1 with another hash', async () => {
      const other = CID.createV1(MANIFEST_CODEC, await sha512.digest(manifestBytes()))
      assert.throws(() => parseContentId(other.toString()), invalidId)
      assert.throws(() => parseContentId(other.bytes), invalidId)
    })

    it('rejects a sha2-256 digest that is not 32 bytes long (found by fuzzing)', () => {
      for (const length of [0, 31, 33]) {
        const other = CID.createV1(MANIFEST_CODEC, Digest.create(mfSha256.code, new Uint8Array(length)))
        assert.throws(() => parseContentId(other.toString()), invalidId)
        assert.throws(() => parseContentId(other.bytes), invalidId)
      }
    })

    it('names the bad input in the message', () => {
      assert.throws(() => parseContentId('not-a-cid'), isNamedError('InvalidContentIdError', /"not-a-cid"/))
    })

    function cidWithTypo (): string {
      const text = contentIdOf(Uint8Array.of(1, 2, 3)).toString()
      return text.slice(0, 10) + '0' + text.slice(11) // '0' is not in base32
    }
  })

  describe('matchesContentId', () => {
    const bytes = manifestBytes()
    const cid = contentIdOf(bytes)

    it('is true for exactly the named bytes', () => {
      assert.equal(matchesContentId(cid, bytes), true)
      assert.equal(matchesContentId(parseContentId(cid.toString()), Uint8Array.from(bytes)), true)
    })

    it('is false for changed, shortened or extended bytes', () => {
      const changed = Uint8Array.from(bytes)
      changed[0] ^= 0x80
      assert.equal(matchesContentId(cid, changed), false)
      assert.equal(matchesContentId(cid, bytes.subarray(1)), false)
      assert.equal(matchesContentId(cid, Uint8Array.from([...bytes, 0])), false)
    })

    it('is false for a CID with the same digest but another codec', () => {
      assert.equal(matchesContentId(CID.createV1(DAG_PB, cid.multihash), bytes), false)
    })
  })
})
