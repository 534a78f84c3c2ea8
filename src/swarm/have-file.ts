import { crc32 } from 'node:zlib'
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Bitfield } from '../core/bitfield.js'
import { StorageError } from '../errors.js'
import { syncFolder } from '../utils/sync-folder.js'
import type { HaveRecord } from './records.js'

/** "SHOALHV1": Shoal have-record, version 1. */
const MAGIC = Buffer.from('SHOALHV1', 'latin1')
/** magic, piece count (u32), then the bitfield, then a CRC-32 of everything before it. */
const HEADER_BYTES = MAGIC.byteLength + 4
const TRAILER_BYTES = 4

/**
 * Which pieces of one download are verified *and durable*, in `dataDir/swarms/<cid>.have`.
 * A save writes a temporary file, fsyncs it, renames it over the old one and fsyncs the
 * folder: after a crash at any instant the file is the old record or the new one, whole.
 * The caller makes the pieces' data durable before it saves a record that claims them.
 */
export class HaveFile implements HaveRecord {
  readonly path: string

  constructor (dataDir: string, contentId: string) {
    this.path = join(dataDir, 'swarms', `${contentId}.have`)
  }

  /** The recorded pieces; undefined when there is no record, or it is damaged or for another piece count. */
  async load (pieceCount: number): Promise<Bitfield | undefined> {
    let bytes: Buffer
    try {
      bytes = await readFile(this.path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new StorageError(`cannot read ${this.path}: ${(err as Error).message}`, { cause: err })
    }
    return decodeHave(bytes, pieceCount)
  }

  async save (have: Bitfield): Promise<void> {
    const bytes = encodeHave(have)
    const tmp = `${this.path}.tmp`
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    try {
      const handle = await open(tmp, 'w', 0o600)
      try {
        await handle.writeFile(bytes)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await rename(tmp, this.path)
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => {})
      throw new StorageError(`cannot save ${this.path}: ${describeIoError(err)}`, { cause: err })
    }
    await syncFolder(dirname(this.path))
  }

  async remove (): Promise<void> {
    await rm(this.path, { force: true })
  }
}

export function encodeHave (have: Bitfield): Buffer {
  const bits = have.toBytes()
  const out = Buffer.alloc(HEADER_BYTES + bits.byteLength + TRAILER_BYTES)
  MAGIC.copy(out, 0)
  out.writeUInt32BE(have.length, MAGIC.byteLength)
  out.set(bits, HEADER_BYTES)
  out.writeUInt32BE(crc32(out.subarray(0, out.byteLength - TRAILER_BYTES)), out.byteLength - TRAILER_BYTES)
  return out
}

/** The bitfield in `bytes` if they are a whole, undamaged record for `pieceCount` pieces. */
export function decodeHave (bytes: Uint8Array, pieceCount: number): Bitfield | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const bitsLength = Math.ceil(pieceCount / 8)
  if (buf.byteLength !== HEADER_BYTES + bitsLength + TRAILER_BYTES) return undefined
  if (!buf.subarray(0, MAGIC.byteLength).equals(MAGIC) || buf.readUInt32BE(MAGIC.byteLength) !== pieceCount) return undefined
  if (crc32(buf.subarray(0, buf.byteLength - TRAILER_BYTES)) !== buf.readUInt32BE(buf.byteLength - TRAILER_BYTES)) return undefined
  try {
    return Bitfield.fromBytes(buf.subarray(HEADER_BYTES, HEADER_BYTES + bitsLength), pieceCount)
  } catch {
    return undefined
  }
}


export function describeIoError (err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOSPC' ? 'the disk is full (no space left on device)' : (err as Error).message
}
