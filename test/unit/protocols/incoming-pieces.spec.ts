import assert from 'node:assert/strict'
import { MAX_FRAME_DATA } from '../../../protocols/piece-exchange/constants.js'
import { IncomingPieces } from '../../../protocols/piece-exchange/incoming-pieces.js'
import { isNamedError } from '../fixtures.js'

const violation = isNamedError('ProtocolViolationError')
const PIECE = 2 * MAX_FRAME_DATA + 100
/** Three pieces: two whole ones of three runs each, a short last one. */
const endpoint = { pieceCount: 3, pieceLength: (i: number): number => i === 2 ? 1000 : PIECE }

describe('protocols/piece-exchange incoming pieces', () => {
  it('places the bytes after a header at the header offset, each next run after the last', () => {
    const pieces = new IncomingPieces()
    assert.equal(pieces.place(10), undefined, 'no header yet: the bytes go nowhere')
    pieces.header({ index: 1, offset: 0, length: MAX_FRAME_DATA }, endpoint)
    assert.deepEqual(pieces.place(100), { index: 1, offset: 0 })
    assert.deepEqual(pieces.place(MAX_FRAME_DATA - 100), { index: 1, offset: 100 })
    pieces.header({ index: 1, offset: MAX_FRAME_DATA, length: MAX_FRAME_DATA }, endpoint)
    assert.deepEqual(pieces.place(5), { index: 1, offset: MAX_FRAME_DATA })
  })

  it('keeps the expected offset per piece, and starts a piece over once it was whole (an endgame copy)', () => {
    const pieces = new IncomingPieces()
    pieces.header({ index: 0, offset: 0, length: MAX_FRAME_DATA }, endpoint)
    pieces.header({ index: 2, offset: 0, length: 1000 }, endpoint)
    pieces.header({ index: 0, offset: MAX_FRAME_DATA, length: MAX_FRAME_DATA }, endpoint)
    pieces.header({ index: 0, offset: 2 * MAX_FRAME_DATA, length: 100 }, endpoint)
    pieces.header({ index: 0, offset: 0, length: 10 }, endpoint)
    pieces.header({ index: 2, offset: 0, length: 1000 }, endpoint)
  })

  const bad: Array<[string, { index: number, offset: number, length: number }]> = [
    ['an index out of range', { index: 3, offset: 0, length: 10 }],
    ['a run at the wrong offset', { index: 0, offset: 10, length: 10 }],
    ['an empty run', { index: 0, offset: 0, length: 0 }],
    ['a run over the frame limit', { index: 0, offset: 0, length: MAX_FRAME_DATA + 1 }],
    ['a run past the end of the piece', { index: 2, offset: 0, length: 1001 }]
  ]
  for (const [what, header] of bad) {
    it(`${what} is a protocol violation`, () => {
      assert.throws(() => { new IncomingPieces().header(header, endpoint) }, violation)
    })
  }

  it('a run that skips ahead within a piece is a violation', () => {
    const pieces = new IncomingPieces()
    pieces.header({ index: 0, offset: 0, length: 100 }, endpoint)
    assert.throws(() => { pieces.header({ index: 0, offset: 200, length: 100 }, endpoint) }, violation)
  })
})
