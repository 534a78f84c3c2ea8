/**
 * Unfinished frames are bounded per peer and per node: a peer that starts a maximum-size frame
 * on every stream it may open has all but a few of them reset, without a violation.
 */
import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { streamPair } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { MAX_CONTROL_FRAME, MAX_UNFINISHED_BYTES_PER_PEER } from '../../../protocols/piece-exchange/constants.js'
import { FrameBudget } from '../../../protocols/piece-exchange/frame-budget.js'
import { Wire } from '../../../protocols/piece-exchange/wire.js'
import { until } from '../fixtures.js'

const log = defaultLogger().forComponent('shoal:test:frame-budget')

describe('protocols/piece-exchange frame budget', () => {
  it('counts held bytes per peer and in all, and refuses what would pass either limit', () => {
    const budget = new FrameBudget(100, 150)
    assert.equal(budget.hold('a', 0, 80), true)
    assert.equal(budget.hold('a', 0, 30), false, 'over the per-peer limit')
    assert.equal(budget.hold('b', 0, 80), false, 'over the per-node limit')
    assert.equal(budget.hold('b', 0, 70), true)
    assert.equal(budget.hold('a', 80, 0), true)
    assert.equal(budget.held, 70)
    assert.equal(budget.hold('a', 0, 80), true)
  })

  it('64 streams of one peer, each with a 64 KiB frame all but its last byte sent: the node holds at most MAX_UNFINISHED_BYTES_PER_PEER', async () => {
    const budget = new FrameBudget(MAX_UNFINISHED_BYTES_PER_PEER, 16 * MAX_UNFINISHED_BYTES_PER_PEER)
    const ends: Array<Error | undefined> = []
    const senders = []
    for (let n = 0; n < 64; n++) {
      const [outbound, inbound] = await streamPair()
      const wire = new Wire({ stream: inbound, remotePeer: 'hostile', outbound: false, log, frames: budget })
      wire.onEnd = (err) => { ends.push(err) }
      senders.push(outbound)
      outbound.send(varint.encode(MAX_CONTROL_FRAME))
      outbound.send(new Uint8Array(MAX_CONTROL_FRAME - 1))
    }
    await until(() => ends.length >= 60, 5000, 'the frames arrive')
    assert.ok(budget.held <= MAX_UNFINISHED_BYTES_PER_PEER, `${budget.held} bytes held`)
    // as many whole frames as the limit holds (less one: each frame also holds its length prefix)
    assert.ok(ends.length >= 64 - MAX_UNFINISHED_BYTES_PER_PEER / MAX_CONTROL_FRAME, `${ends.length} streams reset`)
    assert.ok(ends.every(err => err?.name === 'ResourceLimitError'), 'reset for memory, not as a violation')
    for (const s of senders) s.abort(new Error('done'))
    await until(() => budget.held === 0, 5000, 'every stream gone, nothing held')
  })
})
