/**
 * Small builders shared by the unit specs: manifests over known bytes, a seeded random
 * source, and helpers to cut bytes into uneven chunks.
 */
import { createHash, randomBytes } from 'node:crypto'
import { MANIFEST_VERSION } from '../../src/core/manifest.js'
import type { Manifest } from '../../src/core/manifest.js'

export { seededRandom } from '../helpers/random.js'

export function sha256 (...parts: Uint8Array[]): Buffer {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return hash.digest()
}

/** SHA-256 of each `pieceSize` slice of `data`, concatenated, as a manifest stores them. */
export function pieceHashesOf (data: Uint8Array, pieceSize: number): Uint8Array {
  const count = Math.ceil(data.byteLength / pieceSize)
  const out = new Uint8Array(count * 32)
  for (let i = 0; i < count; i++) out.set(sha256(data.subarray(i * pieceSize, (i + 1) * pieceSize)), i * 32)
  return out
}

export interface Content {
  manifest: Manifest
  /** All files' bytes, concatenated in manifest order. */
  data: Buffer
  /** Each file's own bytes, in manifest order. */
  fileData: Buffer[]
}

/**
 * A valid manifest over random bytes. A single file unless `directory` is set (the default
 * when there is more than one file); a single file's path is the manifest name.
 */
export function makeContent (files: ReadonlyArray<{ path: string, size: number }>, options: { name?: string, directory?: boolean, pieceSize?: number } = {}): Content {
  const directory = options.directory ?? files.length > 1
  const name = options.name ?? (directory ? 'content' : files[0].path)
  const pieceSize = options.pieceSize ?? 16 * 1024
  const fileData = files.map(f => randomBytes(f.size))
  const data = Buffer.concat(fileData)
  const manifest: Manifest = {
    version: MANIFEST_VERSION,
    name,
    directory,
    pieceSize,
    files: files.map(f => ({ path: f.path, size: f.size })),
    pieceHashes: pieceHashesOf(data, pieceSize)
  }
  return { manifest, data, fileData }
}

/** The bytes of piece `index` of `content`. */
export function pieceOf (content: Content, index: number): Buffer {
  const { pieceSize } = content.manifest
  return content.data.subarray(index * pieceSize, (index + 1) * pieceSize)
}

/** Cut `bytes` into consecutive chunks of uneven sizes (1 byte up to ~1/3 of the input). */
export function splitOddly (bytes: Uint8Array, random: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = []
  for (let at = 0; at < bytes.byteLength;) {
    const size = Math.max(1, Math.floor(random() * Math.max(1, bytes.byteLength / 3)))
    chunks.push(bytes.subarray(at, at + size))
    at += size
  }
  return chunks
}

/** Resolve with `promise`, or reject if it takes longer than `ms` (so a hang fails a test). */
export async function within<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`${what} did not settle within ${ms} ms`)) }, ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Wait until `condition()` holds, polling; fail after `ms`. */
export async function until (condition: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 2))
  }
}

/** Assert that `fn` throws (or rejects with) an error of the named class, optionally checking its message. */
export function isNamedError (name: string, message?: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    if (!(err instanceof Error)) throw new Error(`expected an Error, got ${String(err)}`)
    if (err.name !== name) throw new Error(`expected ${name}, got ${err.name}: ${err.message}`)
    if (message !== undefined && !message.test(err.message)) throw new Error(`message "${err.message}" does not match ${String(message)}`)
    return true
  }
}
