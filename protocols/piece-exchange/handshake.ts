import * as varint from 'uint8-varint'
import { Bitfield } from '../../src/core/bitfield.js'
import { ProtocolViolationError } from '../../src/errors.js'
import { BITFIELD_PART_BYTES, MAX_CONTROL_FRAME } from './constants.js'
import type { Message } from './pb/piece-exchange.js'

/**
 * The exchange ended during the handshake with no breach of the protocol by the peer: the
 * stream closed, or we refused the peer (`swarm-full`, `duplicate`, `shutting-down`).
 */
export class HandshakeEndedError extends Error {
  static override name = 'HandshakeEndedError'
  constructor (message: string) {
    super(message)
    this.name = 'HandshakeEndedError'
  }
}

/** The generated codec types bytes as ArrayBuffer-backed; ours always are. */
const asBytes = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => bytes as Uint8Array<ArrayBuffer>

/** Bytes of a protobuf length-delimited field of `length` bytes; left out when empty. */
const bytesField = (length: number): number => length === 0 ? 0 : 1 + varint.encodingLength(length) + length

/**
 * The encoded length of a Message holding a Handshake, computed rather than encoded (so a
 * receiver can tell how the sender had to send it without building it): protobuf leaves
 * zero and empty fields out; the Handshake field itself is always written.
 */
export function handshakeMessageBytes (contentIdBytes: number, pieceCount: number, bitfieldBytes: number): number {
  const handshake = bytesField(contentIdBytes) + (pieceCount === 0 ? 0 : 1 + varint.encodingLength(pieceCount)) + bytesField(bitfieldBytes)
  return 1 + varint.encodingLength(handshake) + handshake
}

/**
 * SPEC.md "Handshake": the bitfield rides in the Handshake whenever the whole message then
 * fits in one frame, which is every content a 2.0.0 node without BitfieldPart can trade
 * (up to 523,888 pieces); only larger content has its bitfield sent in parts.
 */
export function bitfieldFitsInHandshake (contentIdBytes: number, pieceCount: number): boolean {
  return handshakeMessageBytes(contentIdBytes, pieceCount, Math.ceil(pieceCount / 8)) <= MAX_CONTROL_FRAME
}

/** Our handshake as messages: the Handshake, followed by the parts of a bitfield too large for it. */
export function handshakeMessages (contentId: Uint8Array, pieceCount: number, bitfield: Uint8Array): Message[] {
  if (bitfieldFitsInHandshake(contentId.byteLength, pieceCount)) {
    return [{ handshake: { contentId: asBytes(contentId), pieceCount, bitfield: asBytes(bitfield) } }]
  }
  const messages: Message[] = [{ handshake: { contentId: asBytes(contentId), pieceCount, bitfield: new Uint8Array(0) } }]
  for (let offset = 0; offset < bitfield.byteLength; offset += BITFIELD_PART_BYTES) {
    messages.push({ bitfieldPart: { data: asBytes(bitfield.subarray(offset, offset + BITFIELD_PART_BYTES)) } })
  }
  return messages
}

/** What the reader asks of whoever drives the handshake. */
export interface HandshakeHooks {
  /**
   * Their Handshake names this content id and piece count: the piece count we trade the
   * content with (theirs must equal it), or undefined once the exchange is refused. Throws
   * ProtocolViolationError for a content id that is wrong or malformed.
   */
  header(contentId: Uint8Array, pieceCount: number): number | undefined
  /** Their whole bitfield: exactly one bit per piece, spare bits zero. */
  complete(bitfield: Uint8Array): void
}

/** A bitfield arriving in parts: what came so far, copied, and how many bytes it must come to. */
interface Parts {
  pieceCount: number
  bytes: number
  received: Uint8Array[]
  filled: number
}

/**
 * Reads the other side's handshake from the first messages of a stream: a Handshake, and
 * for large content the BitfieldParts after it. Throws ProtocolViolationError on anything
 * else. Parts are accepted only up to the size for a piece count `header` accepted (content
 * we have), and held as they come: memory follows what the peer sent, not what it announced.
 */
export class HandshakeReader {
  private parts?: Parts
  private done = false

  constructor (private readonly hooks: HandshakeHooks) {}

  take (message: Message): void {
    if (this.done) throw new ProtocolViolationError('message before the handshake was answered')
    if (this.parts !== undefined) {
      this.takePart(message, this.parts)
      return
    }
    if (message.handshake === undefined) throw new ProtocolViolationError('expected a handshake first')
    const { contentId, pieceCount, bitfield } = message.handshake
    const expected = this.hooks.header(contentId, pieceCount)
    if (expected === undefined) {
      this.done = true
      return
    }
    if (pieceCount !== expected) throw new ProtocolViolationError(`handshake for ${pieceCount} pieces where the manifest has ${expected}`)
    if (bitfieldFitsInHandshake(contentId.byteLength, pieceCount)) {
      this.finish(bitfield, pieceCount)
      return
    }
    if (bitfield.byteLength !== 0) throw new ProtocolViolationError(`a bitfield of ${pieceCount} pieces does not fit in a handshake: it comes in parts`)
    this.parts = { pieceCount, bytes: Math.ceil(pieceCount / 8), received: [], filled: 0 }
  }

  private takePart (message: Message, parts: Parts): void {
    if (message.bitfieldPart === undefined) throw new ProtocolViolationError('expected the rest of the bitfield')
    const { data } = message.bitfieldPart
    const left = parts.bytes - parts.filled
    if (data.byteLength === 0 || data.byteLength > left) throw new ProtocolViolationError(`bitfield part of ${data.byteLength} bytes where ${left} are left`)
    // a copy: the part may be a view into a larger buffer of the transport's
    parts.received.push(data.slice())
    parts.filled += data.byteLength
    if (parts.filled === parts.bytes) this.finish(Buffer.concat(parts.received), parts.pieceCount)
  }

  private finish (bitfield: Uint8Array, pieceCount: number): void {
    this.done = true
    // throws ProtocolViolationError for a wrong length or a bit past the last piece
    Bitfield.fromBytes(bitfield, pieceCount)
    this.hooks.complete(bitfield)
  }
}
