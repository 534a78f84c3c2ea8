import assert from 'node:assert/strict'
import { TokenBucket, rateLimit } from '../../../src/utils/token-bucket.js'

/** A bucket on a clock the test moves by hand. */
function manual (rate: number, burst: number): { bucket: TokenBucket, advance: (ms: number) => void } {
  let now = 0
  return { bucket: new TokenBucket(rate, burst, () => now), advance: (ms) => { now += ms } }
}

describe('utils/token-bucket', () => {
  it('rate 0 is unlimited: nothing ever waits', async () => {
    const { bucket } = manual(0, 0)
    assert.equal(bucket.unlimited, true)
    assert.equal(bucket.reserve(1e12), 0)
    assert.equal(bucket.waitTime(), 0)
    await bucket.take(1e12)
  })

  it('serves the burst at once, then makes takers wait for the debt at the rate', () => {
    const { bucket, advance } = manual(1000, 500)
    assert.equal(bucket.reserve(500), 0)
    assert.equal(bucket.reserve(250), 250)
    // a second taker queues behind the first one's debt
    assert.equal(bucket.reserve(250), 500)
    advance(500)
    assert.equal(bucket.waitTime(), 0)
  })

  it('refund gives back bytes taken for nothing, up to the burst', () => {
    const { bucket } = manual(1000, 500)
    bucket.reserve(500)
    assert.equal(bucket.reserve(500), 500)
    bucket.refund(500)
    assert.equal(bucket.waitTime(), 0)
    bucket.refund(10_000)
    assert.equal(bucket.reserve(500), 0)
    assert.equal(bucket.reserve(1), 1)
  })

  it('saves up no more than the burst while idle', () => {
    const { bucket, advance } = manual(1000, 100)
    advance(60_000)
    assert.equal(bucket.reserve(100), 0)
    assert.equal(bucket.reserve(100), 100)
  })

  it('holds the long-run rate exactly, whatever the size of the takes', () => {
    const { bucket, advance } = manual(8 * 1024 * 1024, 256 * 1024)
    let now = 0
    let sent = 0
    const sizes = [256 * 1024, 1000, 64 * 1024, 17]
    for (let i = 0; sent < 200 * 1024 * 1024; i++) {
      const bytes = sizes[i % sizes.length]
      const wait = bucket.reserve(bytes)
      advance(wait)
      now += wait
      sent += bytes
    }
    const rate = sent / (now / 1000)
    // the burst is the only slack: 256 KiB over 25 s of transfer
    assert.ok(Math.abs(rate / (8 * 1024 * 1024) - 1) < 0.002, `long-run rate ${rate}`)
  })

  it('take waits in real time and can be aborted', async () => {
    const bucket = new TokenBucket(10_000, 0)
    const started = performance.now()
    await bucket.take(500) // 50 ms of debt
    assert.ok(performance.now() - started >= 45)
    const controller = new AbortController()
    const taking = bucket.take(100_000, controller.signal)
    controller.abort(new Error('stop'))
    await assert.rejects(taking, /stop/)
  })

  it('rateLimit gives bursts of a tenth of a second', () => {
    assert.equal(rateLimit(10 * 1024 * 1024).burst, 1024 * 1024)
    assert.equal(rateLimit(128 * 1024).burst, 128 * 1024 / 10)
    assert.equal(rateLimit(0).unlimited, true)
  })

  it('whole pieces asked for at a slow rate come at that rate from the first one on', () => {
    // the requester's way: a piece is asked for whenever nothing is owed, then waits its debt out
    let now = 0
    const bucket = new TokenBucket(128 * 1024, rateLimit(128 * 1024).burst, () => now)
    const piece = 256 * 1024
    const askedAt: number[] = []
    while (askedAt.length < 8) {
      now += bucket.waitTime()
      bucket.reserve(piece)
      askedAt.push(now)
    }
    // 8 pieces of 2 s each: the last is asked for 7 pieces' time (less one burst) after the first
    const span = (askedAt[7] - askedAt[0]) / 1000
    assert.ok(span >= 7 * 2 - 0.1 - 0.001, `8 pieces asked for within ${span} s`)
  })
})
