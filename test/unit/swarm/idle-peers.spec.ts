import assert from 'node:assert/strict'
import { IdlePeers } from '../../../src/swarm/idle-peers.js'
import type { PeerSession } from '../../../src/swarm/peer-session.js'

/** Enough of a session: when it joined and the piece bytes it moved. */
function session (connectedAt: number): PeerSession & { moved(bytes: number): void } {
  const s = { connectedAt, downloadMeter: { bytes: 0 }, uploadMeter: { bytes: 0 }, moved: (bytes: number) => { s.uploadMeter.bytes += bytes } }
  return s as unknown as PeerSession & { moved(bytes: number): void }
}

describe('swarm/idle-peers', () => {
  it('names the peer idle for longest, once one has been idle for minIdleMs; one at work is never named', () => {
    const idle = new IdlePeers(10_000)
    const old = session(0)
    const young = session(5_000)
    const working = session(0)
    const peers = [old, young, working]
    for (let t = 0; t <= 9_000; t += 1000) {
      working.moved(100)
      idle.observe(peers, t)
    }
    assert.equal(idle.longestIdle(peers, 9_000), undefined, 'nobody idle for 10 s yet')
    working.moved(100)
    assert.equal(idle.longestIdle(peers, 12_000), old)
    assert.equal(idle.longestIdle([young, working], 16_000), young)
    // a peer that moves bytes again starts over
    old.moved(1)
    idle.observe(peers, 17_000)
    assert.equal(idle.longestIdle(peers, 20_000), young)
  })
})
