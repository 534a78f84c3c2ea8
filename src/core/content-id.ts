import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { InvalidContentIdError } from '../errors.js'

/** Multicodec `raw`: the content id addresses the manifest's bytes as they are. */
export const MANIFEST_CODEC = 0x55

/** Multicodec `sha2-256`, the manifest's hash (multiformats' `sha256.code`). */
const SHA256_CODE = 0x12
const SHA256_LENGTH = 32

/**
 * The content id of manifest bytes: CIDv1, raw codec, SHA-256. node:crypto is taken at the
 * first call, not imported: every CLI command that names a content id parses it here, and
 * loading node:crypto (or multiformats' sha2, which loads it) was ~25 ms of `shoal get`'s start.
 */
export function contentIdOf (manifestBytes: Uint8Array): CID {
  const digest = process.getBuiltinModule('node:crypto').createHash('sha256').update(manifestBytes).digest()
  return CID.createV1(MANIFEST_CODEC, Digest.create(SHA256_CODE, digest))
}

/** Whether `manifestBytes` are exactly what `cid` names. */
export function matchesContentId (cid: CID, manifestBytes: Uint8Array): boolean {
  return contentIdOf(manifestBytes).equals(cid)
}

/** Parse user or peer input into a Shoal content id, with a message that says what is wrong. */
export function parseContentId (input: string | Uint8Array): CID {
  let cid: CID
  try {
    cid = typeof input === 'string' ? CID.parse(input.trim()) : CID.decode(input)
  } catch {
    const shown = typeof input === 'string' ? `"${input.slice(0, 100)}"` : 'those bytes'
    throw new InvalidContentIdError(`${shown} is not a valid content id (expected a CIDv1 string such as bafkrei…)`)
  }
  // a sha2-256 multihash whose length byte says other than 32 names nothing (found by fuzzing)
  if (cid.version !== 1 || cid.code !== MANIFEST_CODEC || cid.multihash.code !== SHA256_CODE || cid.multihash.digest.byteLength !== SHA256_LENGTH) {
    throw new InvalidContentIdError(`${cid.toString()} is a CID but not a Shoal content id (CIDv1, raw, sha2-256)`)
  }
  return cid
}
