/**
 * What a swarm tells its observer of each requested piece, for the node's metrics: its round
 * trip once its last byte is in, and why it failed (a bad hash, a refusal, a timeout).
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { pieceOf } from '../fixtures.js'
import { deliver, join, settle, swarmWith } from './swarm-kit.js'
import type { PieceFailure } from '../../../src/swarm/events.js'
import type { Swarm, SwarmObserver } from '../../../src/swarm/swarm.js'

interface PieceLog {
  received: Array<{ peerId: string, index: number, roundTripMs: number }>
  failed: Array<{ peerId: string, index: number, reason: PieceFailure }>
}

function pieceLog (): { log: PieceLog, observer: SwarmObserver } {
  const log: PieceLog = { received: [], failed: [] }
  return {
    log,
    observer: {
      onPieceReceived: (_s, peerId, index, roundTripMs) => { log.received.push({ peerId, index, roundTripMs }) },
      onPieceFailed: (_s, peerId, index, reason) => { log.failed.push({ peerId, index, reason }) }
    }
  }
}

describe('swarm/swarm: piece events', () => {
  const swarms: Swarm[] = []
  afterEach(async () => { for (const swarm of swarms.splice(0)) await swarm.stop() })

  it('a piece received: its round trip from the request, whatever its hash; a bad one fails as "hash"', async () => {
    const { log, observer } = pieceLog()
    const { swarm, content } = await swarmWith([], { observer })
    swarms.push(swarm)
    const { wire, handler } = await join(swarm, 'seed', 'all')
    handler.onUnchoke()
    const [good, bad] = wire.sent('request')
    await new Promise(resolve => setTimeout(resolve, 30))
    deliver(handler, good, pieceOf(content, good))
    deliver(handler, bad, randomBytes(pieceOf(content, bad).byteLength))
    await settle()
    assert.deepEqual(log.received.map(r => [r.peerId, r.index]), [['seed', good], ['seed', bad]])
    for (const r of log.received) assert.ok(r.roundTripMs >= 25 && r.roundTripMs < 10_000, `round trip ${r.roundTripMs} ms`)
    assert.deepEqual(log.failed, [{ peerId: 'seed', index: bad, reason: 'hash' }])
  })

  it('a request the peer refuses fails as "rejected"', async () => {
    const { log, observer } = pieceLog()
    const { swarm } = await swarmWith([], { observer })
    swarms.push(swarm)
    const { wire, handler } = await join(swarm, 'seed', 'all')
    handler.onUnchoke()
    const [first] = wire.sent('request')
    handler.onReject(first, 'overloaded')
    assert.deepEqual(log.failed, [{ peerId: 'seed', index: first, reason: 'rejected' }])
    assert.deepEqual(log.received, [])
  })

  it('a request left unanswered past timeouts.request fails as "timeout" (found by the swarm\'s once-a-second check)', async function () {
    this.timeout(10_000)
    const { log, observer } = pieceLog()
    const { swarm } = await swarmWith([], { observer, timeouts: { request: 50 } })
    swarms.push(swarm)
    const { wire, handler } = await join(swarm, 'holder', 'all')
    handler.onUnchoke()
    const asked = wire.sent('request')
    const deadline = Date.now() + 5000
    while (log.failed.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 50))
    assert.ok(log.failed.length > 0, 'no request timed out')
    for (const failure of log.failed) {
      assert.equal(failure.reason, 'timeout')
      assert.equal(failure.peerId, 'holder')
      assert.ok(asked.includes(failure.index))
    }
  })
})
