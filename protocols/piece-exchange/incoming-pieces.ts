import { ProtocolViolationError } from '../../src/errors.js'
import { MAX_FRAME_DATA } from './constants.js'
import type { SwarmEndpoint } from '../../src/core/wire.js'

/** Where a run of raw piece bytes goes: the piece and the offset of its first byte. */
export interface PiecePlace {
  index: number
  offset: number
}

/**
 * The receive side of piece runs on one stream: checks each Piece header against the piece's
 * length and the offset expected next (runs of a piece arrive in order, without gaps), then
 * places the raw bytes that follow the header. The one record of a piece's receive offset on
 * the wire.
 */
export class IncomingPieces {
  private readonly nextOffset = new Map<number, number>()
  /** The piece whose raw bytes are arriving now (after its Piece header). */
  private incoming?: PiecePlace

  /** Check a Piece header before any of its bytes are accepted; a bad one is a ProtocolViolationError. */
  header (piece: { index: number, offset: number, length: number }, endpoint: Pick<SwarmEndpoint, 'pieceCount' | 'pieceLength'>): void {
    const { index, offset, length } = piece
    if (index >= endpoint.pieceCount) throw new ProtocolViolationError(`piece ${index} out of range`)
    const pieceLength = endpoint.pieceLength(index)
    const expected = this.nextOffset.get(index) ?? 0
    if (offset !== expected || length === 0 || length > MAX_FRAME_DATA || offset + length > pieceLength) {
      throw new ProtocolViolationError(`piece ${index}: ${length} bytes at ${offset}, expected offset ${expected} of ${pieceLength}`)
    }
    const next = offset + length
    if (next === pieceLength) this.nextOffset.delete(index)
    else this.nextOffset.set(index, next)
    this.incoming = { index, offset }
  }

  /** Where `length` raw bytes arriving now belong (undefined before any header); the next bytes follow them. */
  place (length: number): PiecePlace | undefined {
    const { incoming } = this
    if (incoming === undefined) return undefined
    const place = { index: incoming.index, offset: incoming.offset }
    incoming.offset += length
    return place
  }
}
