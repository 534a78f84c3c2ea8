import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { ConnectionRoom } from '../../../src/node/connection-room.js'
import type { Connection, Libp2p } from '@libp2p/interface'

/** Just what the room reads of a connection: its peer, age, state and streams' protocols; `closed` once it hangs up. */
interface FakeConnection { remotePeer: { toString: () => string }, timeline: { open: number }, status: string, streams: Array<{ protocol?: string }>, closed: boolean, close: () => Promise<void>, abort: () => void }

function connection (peer: string, openedAt: number, protocols: Array<string | undefined> = []): FakeConnection {
  const c: FakeConnection = {
    remotePeer: { toString: () => peer },
    timeline: { open: openedAt },
    status: 'open',
    streams: protocols.map(protocol => ({ protocol })),
    closed: false,
    close: async () => { c.closed = true; c.status = 'closed' },
    abort: () => {}
  }
  return c
}

function roomOver (connections: FakeConnection[], trading: string[] = []): ConnectionRoom {
  const libp2p = {
    getConnections: (peer?: { toString: () => string }) => connections.filter(c => !c.closed && (peer === undefined || c.remotePeer.toString() === peer.toString())) as unknown as Connection[]
  } as unknown as Libp2p
  return new ConnectionRoom({
    libp2p,
    maxConnections: 6,
    spare: 2,
    graceMs: 5000,
    trades: peer => trading.includes(peer),
    intervalMs: 1000,
    log: defaultLogger().forComponent('shoal:test:room')
  })
}

const closedPeers = (connections: FakeConnection[]): string[] => connections.filter(c => c.closed).map(c => c.remotePeer.toString())

describe('node/connection-room', () => {
  it('does nothing while `spare` connections are free', () => {
    const connections = ['a', 'b', 'c', 'd'].map(p => connection(p, 0))
    roomOver(connections).check(60_000)
    assert.deepEqual(closedPeers(connections), [])
  })

  it('at the limit closes the newest idle connections until `spare` are free, sparing traders, the young and what cannot be reopened', () => {
    const connections = [
      connection('trader', 0, ['/shoal/piece-exchange/2.0.0']),
      connection('old-idle', 1000, ['/ipfs/id/1.0.0']),
      connection('user-protocol', 2000, ['/my-app/chat/1.0.0']),
      connection('negotiating', 3000, [undefined]),
      connection('new-idle', 4000, ['/shoal/kad/1.0.0']),
      connection('young', 58_000)
    ]
    roomOver(connections, ['trader']).check(60_000)
    // 6 held, 4 wanted: the two newest idle ones old enough, newest first
    assert.deepEqual(closedPeers(connections), ['old-idle', 'new-idle'])
  })

  it('release hangs up on a peer\'s connections that carry only what can be opened again', () => {
    const [p, q] = ['12D3KooWKiDDemi71VX6Xzd9sFYakVbXs9JkeWY4ve2JSKPPfk8o', '12D3KooWAPn3rchC2582nkD8b7yRJ874zacxhFMoUPWTUtXH1yRr']
    const connections = [connection(p, 0, ['/shoal/piece-exchange/2.0.0', '/ipfs/ping/1.0.0']), connection(p, 0, ['/shoal/manifest-exchange/1.0.0']), connection(q, 0)]
    roomOver(connections).release(p)
    assert.deepEqual(connections.map(c => c.closed), [true, false, false])
  })
})
