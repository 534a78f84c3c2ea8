import assert from 'node:assert/strict'
import { observerEvents } from '../../../src/swarm/observer-events.js'
import type { Swarm, SwarmObserver } from '../../../src/swarm/swarm.js'

describe('swarm/observer-events', () => {
  it('each part event reaches the observer as its call, naming the swarm', () => {
    const swarm = { contentId: 'c' } as unknown as Swarm
    const calls: unknown[][] = []
    const observer: SwarmObserver = {
      onPeerJoined: (s, peerId) => { calls.push(['joined', s, peerId]) },
      onPeerLeft: (s, peerId) => { calls.push(['left', s, peerId]) },
      onMisbehaviour: (s, peerId, reason, fatal) => { calls.push(['misbehaviour', s, peerId, reason, fatal]) },
      onPieceReceived: (s, peerId, index, ms) => { calls.push(['received', s, peerId, index, ms]) },
      onPieceFailed: (s, peerId, index, reason) => { calls.push(['failed', s, peerId, index, reason]) },
      onPieceVerified: (s, index) => { calls.push(['verified', s, index]) },
      onProgress: (s) => { calls.push(['progress', s]) }
    }
    const events = observerEvents(swarm, observer)
    events.joined('p')
    events.left('p')
    events.misbehaved('p', 'why', true)
    events.received('p', 1, 20)
    events.pieceFailed('p', 2, 'hash')
    events.verified(3)
    events.progress()
    assert.deepEqual(calls, [
      ['joined', swarm, 'p'], ['left', swarm, 'p'], ['misbehaviour', swarm, 'p', 'why', true], ['received', swarm, 'p', 1, 20],
      ['failed', swarm, 'p', 2, 'hash'], ['verified', swarm, 3], ['progress', swarm]
    ])
  })

  it('an observer without a call is fine', () => {
    const events = observerEvents({} as unknown as Swarm, {})
    events.joined('p')
    events.progress()
  })
})
