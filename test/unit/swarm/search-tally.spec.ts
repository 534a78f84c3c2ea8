import assert from 'node:assert/strict'
import { ManifestMismatchError, PeerStalledError, ProtocolViolationError, UnknownContentError } from '../../../src/errors.js'
import { SearchTally, manifestAnswerOf } from '../../../src/swarm/search-tally.js'
import type { NetworkConnectivity } from '../../../src/swarm/types.js'

function named (name: string): Error {
  const err = new Error('x')
  err.name = name
  return err
}

describe('swarm/search-tally', () => {
  it('sorts a failed manifest request by the error\'s name', () => {
    assert.equal(manifestAnswerOf(new UnknownContentError('no')), 'not-found')
    assert.equal(manifestAnswerOf(new PeerStalledError('slow')), 'stalled')
    assert.equal(manifestAnswerOf(new ManifestMismatchError('forged')), 'bad')
    assert.equal(manifestAnswerOf(new ProtocolViolationError('oversized')), 'bad')
    assert.equal(manifestAnswerOf(named('UnsupportedProtocolError')), 'refused')
    assert.equal(manifestAnswerOf(named('StreamResetError')), 'refused')
    assert.equal(manifestAnswerOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), 'unreachable')
    assert.equal(manifestAnswerOf(undefined), 'unreachable')
  })

  it('counts distinct peers, each by its last answer; one asked again counts in none until it answers', () => {
    let now = 1000
    const connectivity: NetworkConnectivity = { connections: 1, bootstrap: { addresses: [], connected: 0, failedDials: 0 }, privateSwarm: false }
    const tally = new SearchTally({ connectivity: () => connectivity }, () => now)
    tally.found({ peerId: 'a', source: 'connected' })
    tally.found({ peerId: 'a', source: 'connected' })
    tally.found({ peerId: 'b', source: 'connected' })
    tally.found({ peerId: 'p', source: 'provider' })
    for (const peer of ['a', 'b', 'p']) tally.asking(peer)
    tally.answered('a', new UnknownContentError('no'))
    tally.answered('b', new PeerStalledError('slow'))
    tally.asking('b')
    now += 2500
    const report = tally.report()
    assert.equal(report.elapsed, 2500)
    assert.equal(report.connectedPeers, 2, 'peers seen connected during the search, though one is connected now')
    assert.equal(report.connections, 1)
    assert.equal(report.providers, 1)
    assert.equal(report.asked, 3)
    assert.deepEqual(report.answers, { 'not-found': 1, stalled: 0, bad: 0, refused: 0, unreachable: 0 })
  })
})
