import { crc32 } from 'node:zlib'
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Bitfield } from '../core/bitfield.js'
import { StorageError } from '../errors.js'
import { syncFolder } from '../utils/sync-folder.js'
import type { HaveRecord, RecordedPieces } from './records.js'

/**
 * "SHOALHV1": magic, piece count (u32), the bitfield, a CRC-32 of everything before it.
 * "SHOALHV2": the same with a second bitfield after the first: the pieces claimed whose bytes
 * were not yet made durable when the record was written. Both are read; V2 is written.
 */
const MAGIC_V1 = Buffer.from('SHOALHV1', 'latin1')
const MAGIC_V2 = Buffer.from('SHOALHV2', 'latin1')
const HEADER_BYTES = MAGIC_V1.byteLength + 4
const TRAILER_BYTES = 4

/**
 * Which pieces of one download are verified, in `dataDir/swarms/<cid>.have`. A save writes a
 * temporary file and renames it over the old one: after a crash the file is the old record or
 * the new one, whole (a damaged one fails its CRC and counts as none).
 * - A durable save (nothing `unsynced`) fsyncs the file and its folder: it survives a power
 *   loss. The caller makes the pieces' bytes durable before it saves a record that claims them.
 * - A quick save (some pieces `unsynced`) skips every fsync: it survives the process being
 *   killed (the page cache holds it and the pieces' bytes), and whoever loads it re-verifies
 *   the unsynced pieces before trusting them, which a power loss may have lost.
 */
export class HaveFile implements HaveRecord {
  readonly path: string
  /** Whether a save has found the folder there (a download saves ~10 times a second: one call fewer each). */
  private folderMade = false

  constructor (dataDir: string, contentId: string) {
    this.path = join(dataDir, 'swarms', `${contentId}.have`)
  }

  /** The recorded pieces; undefined when there is no record, or it is damaged or for another piece count. */
  async load (pieceCount: number): Promise<RecordedPieces | undefined> {
    let bytes: Buffer
    try {
      bytes = await readFile(this.path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw new StorageError(`cannot read ${this.path}: ${(err as Error).message}`, { cause: err })
    }
    return decodeHave(bytes, pieceCount)
  }

  async save (have: Bitfield, unsynced?: Bitfield): Promise<void> {
    const durable = unsynced === undefined || unsynced.count === 0
    const bytes = encodeHave(have, unsynced)
    const tmp = `${this.path}.tmp`
    try {
      // the folder is made at the first save, and again if it has gone since
      if (!this.folderMade) await this.makeFolder()
      await writeRecord(tmp, bytes, durable).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err
        await this.makeFolder()
        await writeRecord(tmp, bytes, durable)
      })
      await rename(tmp, this.path)
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => {})
      throw new StorageError(`cannot save ${this.path}: ${describeIoError(err)}`, { cause: err })
    }
    if (durable) await syncFolder(dirname(this.path))
  }

  async remove (): Promise<void> {
    await rm(this.path, { force: true })
  }

  private async makeFolder (): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    this.folderMade = true
  }
}

/**
 * The record's bytes into `path`, fsynced when `durable`. A quick save takes one call
 * (writeFile): each separate open, write and close is a round trip to libuv's threads, and a
 * quick save's CPU was mostly those (380 µs against ~200).
 */
async function writeRecord (path: string, bytes: Uint8Array, durable: boolean): Promise<void> {
  if (!durable) {
    await writeFile(path, bytes, { mode: 0o600 })
    return
  }
  const handle = await open(path, 'w', 0o600)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** A V2 record of `have`, `unsynced` (none when not given) of them not yet durable. */
export function encodeHave (have: Bitfield, unsynced = new Bitfield(have.length)): Buffer {
  const bits = have.toBytes()
  const out = Buffer.alloc(HEADER_BYTES + 2 * bits.byteLength + TRAILER_BYTES)
  MAGIC_V2.copy(out, 0)
  out.writeUInt32BE(have.length, MAGIC_V2.byteLength)
  out.set(bits, HEADER_BYTES)
  out.set(unsynced.toBytes(), HEADER_BYTES + bits.byteLength)
  out.writeUInt32BE(crc32(out.subarray(0, out.byteLength - TRAILER_BYTES)), out.byteLength - TRAILER_BYTES)
  return out
}

/** The pieces in `bytes` if they are a whole, undamaged V1 or V2 record for `pieceCount` pieces. */
export function decodeHave (bytes: Uint8Array, pieceCount: number): RecordedPieces | undefined {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const bitsLength = Math.ceil(pieceCount / 8)
  const magic = buf.subarray(0, MAGIC_V1.byteLength)
  const fields = magic.equals(MAGIC_V2) ? 2 : magic.equals(MAGIC_V1) ? 1 : 0
  if (fields === 0 || buf.byteLength !== HEADER_BYTES + fields * bitsLength + TRAILER_BYTES) return undefined
  if (buf.readUInt32BE(MAGIC_V1.byteLength) !== pieceCount) return undefined
  if (crc32(buf.subarray(0, buf.byteLength - TRAILER_BYTES)) !== buf.readUInt32BE(buf.byteLength - TRAILER_BYTES)) return undefined
  const field = (n: number): Bitfield => Bitfield.fromBytes(buf.subarray(HEADER_BYTES + n * bitsLength, HEADER_BYTES + (n + 1) * bitsLength), pieceCount)
  try {
    const have = field(0)
    // an unsynced piece the record does not claim would mean nothing: only claimed ones count
    const unsynced = fields === 2 ? field(1) : new Bitfield(pieceCount)
    return { have, unsynced: unsynced.without(unsynced.without(have)) }
  } catch {
    return undefined
  }
}


export function describeIoError (err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOSPC' ? 'the disk is full (no space left on device)' : (err as Error).message
}
