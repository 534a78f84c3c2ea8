import assert from 'node:assert/strict'
import { dispatchMessage } from '../../../protocols/piece-exchange/dispatch.js'
import { RejectCode } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { isNamedError } from '../fixtures.js'
import type { PieceHeader } from '../../../protocols/piece-exchange/dispatch.js'
import type { Message } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import type { PieceWireHandler, RejectReason } from '../../../src/core/wire.js'

const violation = isNamedError('ProtocolViolationError')
const endpoint = { pieceCount: 4 }

function recorder (): { handler: PieceWireHandler, calls: unknown[][] } {
  const calls: unknown[][] = []
  const handler: PieceWireHandler = {
    onHave: (i) => { calls.push(['have', i]) },
    onRequest: (i) => { calls.push(['request', i]) },
    onCancel: (i) => { calls.push(['cancel', i]) },
    onReject: (i, reason: RejectReason) => { calls.push(['reject', i, reason]) },
    onChoke: () => { calls.push(['choke']) },
    onUnchoke: () => { calls.push(['unchoke']) },
    onPieceData: () => { calls.push(['data']) },
    onClose: () => { calls.push(['close']) }
  }
  return { handler, calls }
}

describe('protocols/piece-exchange dispatch', () => {
  it('turns each control message into its typed call, with its values', () => {
    const { handler, calls } = recorder()
    const messages: Message[] = [
      { have: { index: 1 } }, { request: { index: 2 } }, { cancel: { index: 3 } },
      { reject: { index: 0, code: RejectCode.ELSEWHERE } }, { choke: {} }, { unchoke: {} }
    ]
    for (const message of messages) dispatchMessage(message, endpoint, handler, () => { assert.fail('not a piece') })
    assert.deepEqual(calls, [['have', 1], ['request', 2], ['cancel', 3], ['reject', 0, 'elsewhere'], ['choke'], ['unchoke']])
  })

  it('hands a Piece header to onPiece, not to the handler', () => {
    const { handler, calls } = recorder()
    const headers: PieceHeader[] = []
    dispatchMessage({ piece: { index: 9, offset: 0, length: 10 } }, endpoint, handler, (piece) => { headers.push(piece) })
    assert.deepEqual(headers, [{ index: 9, offset: 0, length: 10 }], 'the range check of a header is the receiver\'s')
    assert.deepEqual(calls, [])
  })

  it('an index out of range is a violation, and the handler is not called', () => {
    const { handler, calls } = recorder()
    for (const message of [{ have: { index: 4 } }, { request: { index: 4 } }, { cancel: { index: 5 } }, { reject: { index: 4, code: RejectCode.CHOKED } }]) {
      assert.throws(() => { dispatchMessage(message, endpoint, handler, () => {}) }, violation)
    }
    assert.deepEqual(calls, [])
  })

  it('a handshake message or no known field is a violation', () => {
    const { handler } = recorder()
    assert.throws(() => { dispatchMessage({ handshake: { contentId: new Uint8Array(34), pieceCount: 4, bitfield: new Uint8Array(1) } }, endpoint, handler, () => {}) }, violation)
    assert.throws(() => { dispatchMessage({}, endpoint, handler, () => {}) }, violation)
  })
})
