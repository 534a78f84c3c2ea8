import { InvalidManifestError } from '../errors.js'
import { checkFileTree, checkPathComponent, checkRelativePath } from './file-tree.js'
import { MANIFEST_LIMITS } from './manifest-limits.js'
import { Manifest as ManifestCodec } from './pb/manifest.js'

export { MANIFEST_LIMITS, checkFileTree, checkRelativePath }

/** SHA-256 digest length: each piece hash in a manifest takes this many bytes. */
export const PIECE_HASH_LENGTH = 32
export const MANIFEST_VERSION = 1

export interface ManifestFile {
  /** '/'-separated path relative to the content's folder; for a single file, its name. */
  readonly path: string
  readonly size: number
}

/** What a content id names: the layout of the content and the hash of every piece. */
export interface Manifest {
  readonly version: number
  readonly name: string
  readonly directory: boolean
  readonly pieceSize: number
  readonly files: readonly ManifestFile[]
  /** 32-byte SHA-256 digests of the pieces, concatenated. */
  readonly pieceHashes: Uint8Array
}

export function totalSize (manifest: Manifest): number {
  let total = 0
  for (const file of manifest.files) total += file.size
  return total
}

export function pieceCount (manifest: Manifest): number {
  return manifest.pieceHashes.byteLength / PIECE_HASH_LENGTH
}

/** Length of piece `index`: the piece size, except for a shorter last piece. */
export function pieceLength (manifest: Manifest, index: number, total = totalSize(manifest)): number {
  const start = index * manifest.pieceSize
  return Math.min(manifest.pieceSize, total - start)
}

export function pieceHash (manifest: Manifest, index: number): Uint8Array {
  return manifest.pieceHashes.subarray(index * PIECE_HASH_LENGTH, (index + 1) * PIECE_HASH_LENGTH)
}

/** The deterministic encoding whose hash is the content id. */
export function encodeManifest (manifest: Manifest): Uint8Array {
  validateManifest(manifest)
  return encodeValidated(manifest)
}

function encodeValidated (manifest: Manifest): Uint8Array {
  return ManifestCodec.encode({
    version: manifest.version,
    name: manifest.name,
    directory: manifest.directory,
    pieceSize: manifest.pieceSize,
    files: manifest.files as ManifestFile[],
    pieceHashes: manifest.pieceHashes as Uint8Array<ArrayBuffer>
  })
}

/**
 * Decode and validate manifest bytes from an untrusted source, once: time and memory stay
 * linear in their size (see MANIFEST_LIMITS). The bytes must be the canonical encoding, so
 * a manifest has one byte form and one content id.
 */
export function decodeManifest (bytes: Uint8Array, maxSize: number = Number.MAX_SAFE_INTEGER): Manifest {
  if (bytes.byteLength > maxSize) {
    throw new InvalidManifestError(`manifest of ${bytes.byteLength} bytes is over the limit of ${maxSize}`)
  }
  let decoded: ManifestCodec
  try {
    decoded = ManifestCodec.decode(bytes, { limits: { files: MANIFEST_LIMITS.maxFiles } })
  } catch (err) {
    throw new InvalidManifestError(`manifest does not decode: ${(err as Error).message}`)
  }
  // the decoded file objects are kept as they are ({ path, size }): a copy would double them
  const manifest: Manifest = {
    version: decoded.version,
    name: decoded.name,
    directory: decoded.directory,
    pieceSize: decoded.pieceSize,
    files: decoded.files,
    pieceHashes: decoded.pieceHashes
  }
  validateManifest(manifest)
  if (!equalBytes(encodeValidated(manifest), bytes)) {
    throw new InvalidManifestError('manifest bytes are not in canonical form')
  }
  return manifest
}

/** Throws InvalidManifestError unless every field is sane and every path is safe to write. */
export function validateManifest (manifest: Manifest): void {
  const fail = (why: string): never => { throw new InvalidManifestError(`invalid manifest: ${why}`) }
  if (manifest.version !== MANIFEST_VERSION) fail(`unsupported version ${manifest.version}`)
  checkPathComponent(manifest.name, 'name')
  const { minPieceSize, maxPieceSize, maxFiles } = MANIFEST_LIMITS
  const size = manifest.pieceSize
  if (!Number.isInteger(size) || size < minPieceSize || size > maxPieceSize || (size & (size - 1)) !== 0) {
    fail(`piece size ${size} is not a power of two from ${minPieceSize} to ${maxPieceSize}`)
  }
  if (manifest.files.length === 0) fail('no files')
  if (manifest.files.length > maxFiles) fail(`more than ${maxFiles} files`)
  if (!manifest.directory && (manifest.files.length !== 1 || manifest.files[0].path !== manifest.name)) {
    fail('a single-file manifest must list exactly its own name')
  }
  // sizes too: each a whole number of bytes below 2^53
  checkFileTree(manifest.files)
  const total = totalSize(manifest)
  if (!Number.isSafeInteger(total)) fail('total size is too large')
  const expectedHashes = Math.ceil(total / size) * PIECE_HASH_LENGTH
  if (manifest.pieceHashes.byteLength !== expectedHashes) {
    fail(`${manifest.pieceHashes.byteLength} bytes of piece hashes where ${expectedHashes} are needed`)
  }
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}
