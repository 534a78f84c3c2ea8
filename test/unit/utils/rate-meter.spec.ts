import assert from 'node:assert/strict'
import { RateMeter } from '../../../src/utils/rate-meter.js'

function manual (windowMs = 5000): { meter: RateMeter, advance: (ms: number) => void } {
  let now = 100_000
  return { meter: new RateMeter(windowMs, () => now), advance: (ms) => { now += ms } }
}

describe('utils/rate-meter', () => {
  it('measures a steady rate over its window', () => {
    const { meter, advance } = manual()
    for (let i = 0; i < 100; i++) {
      meter.add(1000)
      advance(100)
    }
    // 1000 bytes every 100 ms
    assert.ok(Math.abs(meter.rate() - 10_000) < 300, `rate ${meter.rate()}`)
    assert.equal(meter.bytes, 100_000)
  })

  it('over its own life while younger than the window', () => {
    const { meter, advance } = manual()
    advance(1000)
    meter.add(5000)
    assert.ok(Math.abs(meter.rate() - 5000) < 300, `rate ${meter.rate()}`)
  })

  it('made late, counts from when it is told counting began', () => {
    let now = 100_000
    const early = new RateMeter(5000, () => now)
    now += 2000
    const late = new RateMeter(5000, () => now, 100_000)
    early.add(4000)
    late.add(4000)
    now += 50
    assert.equal(late.rate(), early.rate())
    assert.ok(Math.abs(late.rate() - 4000 / 2.05) < 10, `rate ${late.rate()}`)
  })

  it('falls to zero once nothing has come for a whole window, but keeps the total', () => {
    const { meter, advance } = manual()
    meter.add(1e6)
    advance(5001)
    assert.equal(meter.rate(), 0)
    advance(60_000)
    assert.equal(meter.rate(), 0)
    assert.equal(meter.bytes, 1e6)
  })

  it('forgets old bytes slot by slot', () => {
    const { meter, advance } = manual(1000)
    advance(2000)
    meter.add(1000)
    advance(500)
    meter.add(1000)
    advance(600)
    // the first 1000 left the window; the second is still in it
    assert.ok(Math.abs(meter.rate() - 1000) < 60, `rate ${meter.rate()}`)
  })
})
