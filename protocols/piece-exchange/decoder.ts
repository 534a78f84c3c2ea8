import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { ProtocolViolationError } from '../../src/errors.js'
import { MAX_CONTROL_FRAME } from './constants.js'
import { Message } from './pb/piece-exchange.js'

/** The longest varint a frame length may take (64 KiB fits in 3 bytes; 10 is varint's own cap). */
export const MAX_VARINT_BYTES = 10

export interface DecoderSink {
  /** A whole message. A Piece header is delivered before the bytes it announces. */
  onMessage(message: Message): void
  /** Raw piece bytes, in order, in whatever runs the transport delivered them (no copy). */
  onPieceBytes(data: Uint8Array): void
}

/**
 * Cuts a piece-exchange stream into messages and the raw piece bytes after each Piece header.
 * Buffers at most one incomplete control frame (capped); piece bytes are passed on as they
 * arrive, as views into the transport's own buffers.
 */
export class WireDecoder {
  private readonly buffer = new Uint8ArrayList()
  /** Raw bytes still owed by the current Piece header. */
  private rawRemaining = 0

  constructor (private readonly sink: DecoderSink) {}

  /** Bytes held back waiting for the rest of a frame: never more than one capped control frame. */
  get buffered (): number {
    return this.buffer.byteLength
  }

  push (chunk: Uint8Array | Uint8ArrayList): void {
    this.buffer.append(chunk)
    while (this.buffer.byteLength > 0) {
      if (this.rawRemaining > 0) {
        this.passRaw()
      } else if (!this.nextMessage()) {
        return
      }
    }
  }

  private passRaw (): void {
    const take = Math.min(this.rawRemaining, this.buffer.byteLength)
    for (const part of this.buffer.sublist(0, take)) this.sink.onPieceBytes(part)
    this.buffer.consume(take)
    this.rawRemaining -= take
  }

  /** Decode one framed message if it is all here; false when more bytes are needed. */
  private nextMessage (): boolean {
    let length: number
    try {
      length = varint.decode(this.buffer)
    } catch {
      if (this.buffer.byteLength >= MAX_VARINT_BYTES) throw new ProtocolViolationError('malformed frame length')
      return false
    }
    if (length > MAX_CONTROL_FRAME) throw new ProtocolViolationError(`frame of ${length} bytes is over the ${MAX_CONTROL_FRAME}-byte limit`)
    const start = varint.encodingLength(length)
    // unsigned-varint is minimal by spec: a longer encoding would put the body at the wrong byte
    if (this.buffer.get(start - 1) >= 0x80) throw new ProtocolViolationError('frame length is not minimally encoded')
    if (this.buffer.byteLength < start + length) return false
    const bytes = this.buffer.subarray(start, start + length)
    this.buffer.consume(start + length)
    let message: Message
    try {
      message = Message.decode(bytes)
    } catch (err) {
      throw new ProtocolViolationError(`undecodable message: ${(err as Error).message}`)
    }
    // the header is checked by onMessage before any of its bytes are passed on
    this.sink.onMessage(message)
    if (message.piece !== undefined) this.rawRemaining = message.piece.length
    return true
  }
}

/** A Piece header frame followed by its raw bytes, as one send and without copying `data`. */
export function encodePieceRun (index: number, offset: number, data: Uint8Array): Uint8ArrayList {
  const header = Message.encode({ piece: { index, offset, length: data.byteLength } })
  return new Uint8ArrayList(varint.encode(header.byteLength), header, data)
}
