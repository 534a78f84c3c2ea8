import { InvalidManifestError } from '../errors.js'
import { MANIFEST_LIMITS } from './manifest-limits.js'
import { Manifest as ManifestCodec } from './pb/manifest.js'

export { MANIFEST_LIMITS }

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
  return ManifestCodec.encode({
    version: manifest.version,
    name: manifest.name,
    directory: manifest.directory,
    pieceSize: manifest.pieceSize,
    files: manifest.files.map(f => ({ path: f.path, size: f.size })),
    pieceHashes: manifest.pieceHashes as Uint8Array<ArrayBuffer>
  })
}

/**
 * Decode and validate manifest bytes from an untrusted source. The bytes must be the
 * canonical encoding, so a manifest has one byte form and one content id.
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
  const manifest: Manifest = {
    version: decoded.version,
    name: decoded.name,
    directory: decoded.directory,
    pieceSize: decoded.pieceSize,
    files: decoded.files.map(f => ({ path: f.path, size: f.size })),
    pieceHashes: decoded.pieceHashes
  }
  validateManifest(manifest)
  const canonical = encodeManifest(manifest)
  if (!equalBytes(canonical, bytes)) {
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
  checkFileTree(manifest.files)
  if (!manifest.files.every(f => Number.isSafeInteger(f.size) && f.size >= 0)) fail('a file size is not a whole number of bytes below 2^53')
  const total = totalSize(manifest)
  if (!Number.isSafeInteger(total)) fail('total size is too large')
  const expectedHashes = Math.ceil(total / size) * PIECE_HASH_LENGTH
  if (manifest.pieceHashes.byteLength !== expectedHashes) {
    fail(`${manifest.pieceHashes.byteLength} bytes of piece hashes where ${expectedHashes} are needed`)
  }
}

function checkFileTree (files: readonly ManifestFile[]): void {
  const seen = new Set<string>()
  const dirs = new Set<string>()
  for (const file of files) {
    if (!Number.isSafeInteger(file.size) || file.size < 0) {
      throw new InvalidManifestError(`invalid manifest: bad size for "${file.path}"`)
    }
    const parts = checkRelativePath(file.path)
    if (seen.has(file.path) || dirs.has(file.path)) {
      throw new InvalidManifestError(`invalid manifest: "${file.path}" appears twice`)
    }
    seen.add(file.path)
    for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'))
  }
  for (const dir of dirs) {
    if (seen.has(dir)) throw new InvalidManifestError(`invalid manifest: "${dir}" is both a file and a folder`)
  }
}

/** A '/'-separated relative path whose every component is a plain name. Returns the components. */
export function checkRelativePath (path: string): string[] {
  if (path.length === 0 || Buffer.byteLength(path) > MANIFEST_LIMITS.maxPathLength) {
    throw new InvalidManifestError(`invalid manifest: path length ${path.length} is out of range`)
  }
  const parts = path.split('/')
  if (parts.length > MANIFEST_LIMITS.maxDepth) {
    throw new InvalidManifestError(`invalid manifest: "${printable(path)}" is nested too deep`)
  }
  for (const part of parts) checkPathComponent(part, `path "${printable(path)}"`)
  return parts
}

/** One file or folder name: no separators, no '.', '..', NUL or control characters, at most 255 UTF-8 bytes. */
function checkPathComponent (part: string, what: string): void {
  const bad = part.length === 0 ||
    Buffer.byteLength(part) > MANIFEST_LIMITS.maxComponentLength ||
    part === '.' || part === '..' ||
    part.includes('/') || part.includes('\\') ||
    /[\x00-\x1f\x7f-\x9f]/.test(part)
  if (bad) throw new InvalidManifestError(`invalid manifest: unsafe name in ${what}`)
}

function printable (s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s).slice(1, -1)
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}
