import assert from 'node:assert/strict'
import { RecentRate } from '../../../src/cli/recent-rate.js'

/** A meter on a clock the test moves by hand. */
function manual (windowMs = 5000): { meter: RecentRate, advance: (ms: number) => void } {
  let now = 0
  return { meter: new RecentRate(windowMs, () => now), advance: (ms) => { now += ms } }
}

describe('cli/recent-rate', () => {
  it('is unknown until the count grows', () => {
    const { meter, advance } = manual()
    assert.equal(meter.rate(), undefined)
    meter.note(0)
    advance(3000)
    meter.note(0)
    assert.equal(meter.rate(), undefined)
  })

  it('a re-attached get counts from where it joined: bytes since attach over time since attach', () => {
    const { meter, advance } = manual()
    meter.note(900 * 1024 * 1024) // joined a download 900 MiB in
    advance(2000)
    meter.note(900 * 1024 * 1024 + 2 * 1024 * 1024)
    assert.equal(meter.rate(), 1024 * 1024)
  })

  it('is the rate of the last few seconds, not of the whole download', () => {
    const { meter, advance } = manual(5000)
    meter.note(0)
    for (let s = 1; s <= 10; s++) { advance(1000); meter.note(s * 1000) } // 1000 B/s for 10 s
    for (let s = 1; s <= 10; s++) { advance(1000); meter.note(10_000 + s * 100) } // then 100 B/s
    assert.equal(meter.rate(), 100)
  })

  it('falls while nothing comes, down to 0 (known, not unknown)', () => {
    const { meter, advance } = manual(5000)
    meter.note(0)
    advance(1000)
    meter.note(1000)
    advance(10_000)
    assert.equal(meter.rate(), 0)
  })
})
