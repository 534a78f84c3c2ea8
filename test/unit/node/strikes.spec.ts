import assert from 'node:assert/strict'
import { Strikes } from '../../../src/node/strikes.js'

describe('node/strikes', () => {
  it('reaches its limit on the limit-th strike within the window, and forgets the peer then', () => {
    let now = 0
    const strikes = new Strikes({ limit: 3, windowMs: 1000, maxPeers: 10, now: () => now })
    assert.deepEqual(strikes.record('A'), { count: 1, reached: false })
    now = 500
    assert.deepEqual(strikes.record('A'), { count: 2, reached: false })
    assert.equal(strikes.count('A'), 2)
    now = 900
    assert.deepEqual(strikes.record('A'), { count: 3, reached: true })
    assert.equal(strikes.count('A'), 0, 'a verdict ends the tally (the peer is banned)')
  })

  it('strikes older than the window do not count: an honest peer that stalls now and then under load is never judged', () => {
    let now = 0
    const strikes = new Strikes({ limit: 3, windowMs: 1000, maxPeers: 10, now: () => now })
    for (let i = 0; i < 10; i++) {
      now += 600
      assert.equal(strikes.record('A').reached, false, `strike ${i + 1}`)
    }
  })

  it('forgive starts a peer\'s count again', () => {
    const strikes = new Strikes({ limit: 3, windowMs: 60_000, maxPeers: 10 })
    strikes.record('A')
    strikes.record('A')
    strikes.forgive('A')
    assert.deepEqual(strikes.record('A'), { count: 1, reached: false })
  })

  it('holds at most maxPeers, forgetting the peer struck longest ago', () => {
    const strikes = new Strikes({ limit: 1000, windowMs: 60_000, maxPeers: 100 })
    strikes.record('kept')
    for (let i = 0; i < 1000; i++) {
      strikes.record(`churn-${i}`)
      if (i % 50 === 0) strikes.record('kept')
    }
    assert.equal(strikes.size, 100)
    assert.equal(strikes.count('churn-0'), 0)
    assert.equal(strikes.count('churn-999'), 1)
    assert.equal(strikes.count('kept'), 21, 'a peer struck lately is kept however many pass through')
  })
})
