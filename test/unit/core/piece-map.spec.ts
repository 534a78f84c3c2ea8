import assert from 'node:assert/strict'
import { MAX_AVAILABILITY, PIECE_STATE, pieceMapBytes, readPieceMap } from '../../../src/core/piece-map.js'

describe('core/piece-map', () => {
  it('a byte per piece: have, in flight, missing, with how many peers have it (capped)', () => {
    const have = new Set([0])
    const requested = new Set([1])
    const availability = [3, 1, 0, 500]
    const bytes = pieceMapBytes({ pieceCount: 4, has: i => have.has(i), requestsFor: i => requested.has(i) ? 2 : 0, availabilityOf: i => availability[i] })
    assert.equal(bytes.byteLength, 4)
    assert.deepEqual(readPieceMap(bytes, 0), { state: PIECE_STATE.have, availability: 3 })
    assert.deepEqual(readPieceMap(bytes, 1), { state: PIECE_STATE.inFlight, availability: 1 })
    assert.deepEqual(readPieceMap(bytes, 2), { state: PIECE_STATE.missing, availability: 0 })
    assert.deepEqual(readPieceMap(bytes, 3), { state: PIECE_STATE.missing, availability: MAX_AVAILABILITY })
  })

  it('a piece we have is "have" even with a request still out (endgame duplicates)', () => {
    const bytes = pieceMapBytes({ pieceCount: 1, has: () => true, requestsFor: () => 1, availabilityOf: () => 0 })
    assert.equal(readPieceMap(bytes, 0).state, PIECE_STATE.have)
  })
})
