/**
 * parseContentId on user strings and peer bytes: arbitrary, mutated valid ids, other CIDs.
 * The only failure is InvalidContentIdError; what it accepts is a CIDv1, raw, with a 32-byte
 * SHA-256 digest, and survives a round trip through its string and binary forms.
 */
import fc from 'fast-check'
import { CID } from 'multiformats/cid'
import { base58btc } from 'multiformats/bases/base58'
import { contentIdOf, parseContentId, MANIFEST_CODEC } from '../../../src/core/content-id.js'
import { FuzzFailure, bytes, check, expectNamed, mutated } from '../target.js'
import type { FuzzTarget } from '../target.js'

const validBytes = bytes(32).map(b => contentIdOf(b).bytes)
const otherCid = fc.tuple(fc.constantFrom(0x55, 0x70, 0x71, 0x0129), bytes(32)).map(([code, b]) => CID.createV1(code, contentIdOf(b).multihash))
const strings = fc.oneof(
  validBytes.map(b => CID.decode(b).toString()),
  validBytes.map(b => CID.decode(b).toString(base58btc)),
  otherCid.map(c => c.toString()),
  otherCid.map(c => c.toV0 === undefined ? c.toString() : c.toString()),
  mutated(validBytes.map(b => new TextEncoder().encode(CID.decode(b).toString()))).map(b => new TextDecoder().decode(b)),
  fc.string({ maxLength: 80 }),
  fc.stringMatching(/^b[a-z2-7]{0,70}$/),
  fc.stringMatching(/^Qm[1-9A-HJ-NP-Za-km-z]{0,50}$/),
  fc.constantFrom('', ' ', 'bafkrei', 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG', 'z', 'f01551220', '\u0000')
)
const binaries = fc.oneof(validBytes, mutated(validBytes), otherCid.map(c => c.bytes), bytes(80))

function checkAccepted (cid: CID): void {
  if (cid.version !== 1 || cid.code !== MANIFEST_CODEC || cid.multihash.code !== 0x12) throw new FuzzFailure(`accepted ${cid.toString()}`)
  if (cid.multihash.digest.byteLength !== 32) throw new FuzzFailure(`accepted a sha2-256 digest of ${cid.multihash.digest.byteLength} bytes`)
  if (!parseContentId(cid.toString()).equals(cid) || !parseContentId(cid.bytes).equals(cid)) throw new FuzzFailure('no round trip')
}

export const contentIdTarget: FuzzTarget = {
  name: 'content id',
  description: 'parseContentId: strings and bytes, only InvalidContentIdError',
  run: async (runs, seed) => await check(fc.property(fc.oneof(strings, binaries), (input) => {
    let cid: CID
    try {
      cid = parseContentId(input)
    } catch (err) {
      expectNamed(err, ['InvalidContentIdError'], 'parseContentId')
      return
    }
    checkAccepted(cid)
  }), runs, seed)
}
