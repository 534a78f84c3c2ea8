import assert from 'node:assert/strict'
import { SCORING } from '../../../src/config/defaults.js'
import { PeerScore } from '../../../src/core/peer-score.js'

describe('core/peer-score', () => {
  it('gives a verdict once an offence reaches its limit, and counts on after', () => {
    const score = new PeerScore({ maxFalseClaims: 2, maxChokedRequests: 5, maxStalls: 3, minPieceRate: 256 })
    assert.equal(score.record('false-claim'), undefined)
    assert.match(score.record('false-claim') ?? '', /refused 2 piece\(s\) it had announced/)
    assert.equal(score.count('false-claim'), 2)
    assert.ok(score.record('false-claim') !== undefined)
  })

  it('counts each offence on its own', () => {
    const score = new PeerScore({ maxFalseClaims: 2, maxChokedRequests: 5, maxStalls: 2, minPieceRate: 256 })
    assert.equal(score.record('stall'), undefined)
    assert.equal(score.record('false-claim'), undefined)
    assert.match(score.record('stall') ?? '', /held our requests 2 times without sending their data/)
    assert.equal(score.count('false-claim'), 1)
  })

  it('holds a peer to the limits it is given (the node gives SCORING)', () => {
    const score = new PeerScore(SCORING)
    for (let i = 1; i < SCORING.maxFalseClaims; i++) assert.equal(score.record('false-claim'), undefined)
    assert.ok(score.record('false-claim') !== undefined)
  })
})
