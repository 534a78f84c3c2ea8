import { ProtocolViolationError } from '../../src/errors.js'
import { rejectReasonOf } from './codes.js'
import type { Message } from './pb/piece-exchange.js'
import type { PieceWireHandler, SwarmEndpoint } from '../../src/core/wire.js'

/** A Piece header, as it arrives before its raw bytes. */
export type PieceHeader = NonNullable<Message['piece']>

/**
 * Hand one message of an open exchange to `handler` as a typed call, each index checked
 * against the piece count (ProtocolViolationError when out of range); a Piece header goes to
 * `onPiece`. A handshake message, or one with no known field, is a violation.
 */
export function dispatchMessage (message: Message, endpoint: Pick<SwarmEndpoint, 'pieceCount'>, handler: PieceWireHandler, onPiece: (piece: PieceHeader) => void): void {
  const checkIndex = (index: number): number => {
    if (index >= endpoint.pieceCount) throw new ProtocolViolationError(`piece ${index} out of range`)
    return index
  }
  if (message.piece !== undefined) {
    onPiece(message.piece)
  } else if (message.have !== undefined) {
    handler.onHave(checkIndex(message.have.index))
  } else if (message.request !== undefined) {
    handler.onRequest(checkIndex(message.request.index))
  } else if (message.cancel !== undefined) {
    handler.onCancel(checkIndex(message.cancel.index))
  } else if (message.reject !== undefined) {
    handler.onReject(checkIndex(message.reject.index), rejectReasonOf(message.reject.code))
  } else if (message.choke !== undefined) {
    handler.onChoke()
  } else if (message.unchoke !== undefined) {
    handler.onUnchoke()
  } else {
    throw new ProtocolViolationError('a handshake message after the handshake, or no known field set')
  }
}
