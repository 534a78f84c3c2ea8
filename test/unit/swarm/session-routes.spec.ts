import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { Bitfield } from '../../../src/core/bitfield.js'
import { SessionRoutes } from '../../../src/swarm/session-routes.js'
import type { PeerSession } from '../../../src/swarm/peer-session.js'
import type { RoutedParts } from '../../../src/swarm/session-routes.js'

/** A session as far as the routes look at it. */
const session = { peerId: 'peer', score: { count: () => 2 } } as unknown as PeerSession

function setup (): { routes: SessionRoutes, calls: string[], have: Bitfield, limits: { maxQueuedRequestsPerPeer: number } } {
  const calls: string[] = []
  const have = new Bitfield(4)
  have.set(1)
  const limits = { maxQueuedRequestsPerPeer: 8 }
  const parts: RoutedParts = {
    requester: { fill: (s) => { calls.push(`fill ${s.peerId}`) }, release: (i) => { calls.push(`release ${i}`) } },
    uploader: {
      admit: (_s, i, insisted) => { calls.push(`admit ${i} ${insisted}`); return i !== 3 },
      withdraw: (_s, i) => { calls.push(`withdraw ${i}`) },
      serve: () => { calls.push('serve') },
      rechoke: () => { calls.push('rechoke') },
      peerGained: () => { calls.push('peerGained') }
    },
    members: { left: (_s, err) => { calls.push(`left ${err?.message ?? ''}`) } },
    intake: { received: (_s, index, piece) => { calls.push(`received ${index} ${piece.byteLength}`) } }
  }
  const buffers = { take: () => { calls.push('take'); return new Uint8Array(16) }, give: () => { calls.push('give') } }
  const routes = new SessionRoutes({
    layout: { pieceLength: (i) => i === 3 ? 5 : 16 },
    have,
    picker: { peerGained: (i) => { calls.push(`picker gained ${i}`) } },
    buffers,
    limits,
    refusalMs: 1234,
    parts,
    events: {
      pieceFailed: (peerId, index, reason) => { calls.push(`pieceFailed ${peerId} ${index} ${reason}`) },
      misbehaved: (peerId, reason, fatal) => { calls.push(`misbehaved ${peerId} ${reason} ${fatal}`) }
    },
    log: defaultLogger().forComponent('shoal:test:routes')
  })
  return { routes, calls, have, limits }
}

describe('swarm/session-routes', () => {
  it('answers what a session asks of its swarm: piece lengths, pieces had, limits read at each call', () => {
    const { routes, have, limits } = setup()
    assert.equal(routes.pieceLength(0), 16)
    assert.equal(routes.pieceLength(3), 5)
    assert.equal(routes.hasPiece(1), true)
    assert.equal(routes.hasPiece(0), false)
    have.set(0)
    assert.equal(routes.hasPiece(0), true)
    assert.equal(routes.refusalMs, 1234)
    assert.equal(routes.maxQueuedRequests, 8)
    limits.maxQueuedRequestsPerPeer = 2
    assert.equal(routes.maxQueuedRequests, 2)
  })

  it('a have: the picker counts it; a piece we lack is asked for, one we have makes the peer a candidate for upload', () => {
    const { routes, calls } = setup()
    routes.onPeerHave(session, 0)
    routes.onPeerHave(session, 1)
    assert.deepEqual(calls, ['picker gained 0', 'fill peer', 'picker gained 1', 'peerGained'])
  })

  it('a refused request fails as "rejected", goes back to the picker, and the peer is asked for more', () => {
    const { routes, calls } = setup()
    routes.onRequestEnded(session, 2)
    assert.deepEqual(calls, ['pieceFailed peer 2 rejected', 'release 2', 'fill peer'])
  })

  it('uploads: admission and serving are the uploader\'s; a peer that stopped reading is reported and rechoked', () => {
    const { routes, calls } = setup()
    assert.equal(routes.admitUpload(session, 1, false), true)
    assert.equal(routes.admitUpload(session, 3, true), false)
    routes.onUploadWanted(session)
    routes.onStoppedReading(session)
    assert.deepEqual(calls, ['admit 1 false', 'admit 3 true', 'serve', 'misbehaved peer stalled reading 2 time(s) false', 'rechoke'])
  })

  it('an unchoke asks for pieces; a closed session leaves the peers; buffers and pieces received go to their owners', () => {
    const { routes, calls } = setup()
    routes.onUnchoked(session)
    routes.onPeerClosed(session, new Error('reset'))
    const buffer = routes.takeBuffer()
    routes.releaseBuffer(buffer)
    routes.onPieceReceived(session, 0, buffer, Date.now())
    assert.deepEqual(calls, ['fill peer', 'left reset', 'take', 'give', 'received 0 16'])
  })
})
