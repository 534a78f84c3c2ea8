import { ProtocolViolationError } from '../errors.js'

/**
 * Which pieces a peer has: one bit per piece, most significant bit first in each byte
 * (the BitTorrent order). Keeps a running count so completeness is O(1).
 */
export class Bitfield {
  readonly length: number
  private readonly bits: Uint8Array
  private ones = 0

  /**
   * @param bytes - the bits to start with (copied)
   * @param storage - where to keep the bits, of the field's size: a simulator's 800,000 fields
   * as views of a few large buffers cost a third of the memory of a buffer each
   */
  constructor (length: number, bytes?: Uint8Array, storage?: Uint8Array) {
    this.length = length
    const size = Math.ceil(length / 8)
    if (storage !== undefined && storage.byteLength !== size) throw new RangeError(`storage of ${storage.byteLength} bytes for ${length} bits`)
    this.bits = storage?.fill(0) ?? new Uint8Array(size)
    if (bytes !== undefined) {
      this.bits.set(bytes)
      for (let i = 0; i < length; i++) if (this.has(i)) this.ones++
    }
  }

  /** From a peer's bytes: exact length, no bits set past the end. */
  static fromBytes (bytes: Uint8Array, length: number): Bitfield {
    if (bytes.byteLength !== Math.ceil(length / 8)) {
      throw new ProtocolViolationError(`bitfield of ${bytes.byteLength} bytes for ${length} pieces`)
    }
    const spare = bytes.byteLength * 8 - length
    if (spare > 0 && (bytes[bytes.byteLength - 1] & ((1 << spare) - 1)) !== 0) {
      throw new ProtocolViolationError('bitfield has bits set past the last piece')
    }
    return new Bitfield(length, bytes)
  }

  static full (length: number): Bitfield {
    const field = new Bitfield(length)
    for (let i = 0; i < length; i++) field.set(i)
    return field
  }

  has (index: number): boolean {
    return (this.bits[index >> 3] & (0x80 >> (index & 7))) !== 0
  }

  set (index: number): void {
    if (index < 0 || index >= this.length || this.has(index)) return
    this.bits[index >> 3] |= 0x80 >> (index & 7)
    this.ones++
  }

  unset (index: number): void {
    if (!this.has(index)) return
    this.bits[index >> 3] &= ~(0x80 >> (index & 7))
    this.ones--
  }

  get count (): number {
    return this.ones
  }

  get complete (): boolean {
    return this.ones === this.length
  }

  /** Whether this field has a piece that `other` lacks (what makes a peer interested in us). */
  hasAnyMissingFrom (other: Bitfield): boolean {
    for (let i = 0; i < this.bits.length; i++) if ((this.bits[i] & ~other.bits[i]) !== 0) return true
    return false
  }

  /** The pieces of this field that `other` (of the same length) lacks. */
  without (other: Bitfield): Bitfield {
    const bytes = this.bits.slice()
    for (let i = 0; i < bytes.length; i++) bytes[i] &= ~other.bits[i]
    return new Bitfield(this.length, bytes)
  }

  /** A copy of the bytes, safe to send or store. */
  toBytes (): Uint8Array {
    return this.bits.slice()
  }
}
