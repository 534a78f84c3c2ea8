import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { Bitfield } from '../../../src/core/bitfield.js'
import { ProtocolViolationError } from '../../../src/errors.js'
import { SwarmPeers } from '../../../src/swarm/swarm-peers.js'
import { FakeWire, settle } from './swarm-kit.js'
import type { PeerSession } from '../../../src/swarm/peer-session.js'
import type { SessionHost } from '../../../src/swarm/session-host.js'

const PIECES = 4

function bits (pieces: number[]): Bitfield {
  const b = new Bitfield(PIECES)
  for (const i of pieces) b.set(i)
  return b
}

function setup (maxPeers = 3, localPeerId = 'm-local'): { peers: SwarmPeers, calls: string[], have: Bitfield } {
  const calls: string[] = []
  const have = bits([0])
  // a session's close reaches the peers through its host, as in a swarm
  const host = {
    pieceLength: () => 16,
    hasPiece: () => false,
    maxQueuedRequests: 4,
    refusalMs: 1000,
    onPeerClosed: (session: PeerSession, err?: Error) => { peers.left(session, err) }
  } as unknown as SessionHost
  const peers: SwarmPeers = new SwarmPeers({
    host,
    have,
    localPeerId,
    maxPeers,
    picker: { addPeer: (b) => { calls.push(`addPeer ${b.count}`) }, removePeer: (b) => { calls.push(`removePeer ${b.count}`) } },
    work: {
      release: (i) => { calls.push(`release ${i}`) },
      fillAll: () => { calls.push('fillAll') },
      peerLeft: (s) => { calls.push(`peerLeft ${s.peerId}`) },
      rechoke: () => { calls.push('rechoke') }
    },
    events: {
      joined: (peerId) => { calls.push(`joined ${peerId}`) },
      left: (peerId) => { calls.push(`left ${peerId}`) },
      misbehaved: (peerId, reason, fatal) => { calls.push(`misbehaved ${peerId} ${reason} ${fatal}`) }
    },
    log: defaultLogger().forComponent('shoal:test:peers')
  })
  return { peers, calls, have }
}

/** Join `peerId` over a fake wire that tells the session when it closes. */
function join (peers: SwarmPeers, peerId: string, outbound = true, sent?: Uint8Array): { wire: FakeWire, result: ReturnType<SwarmPeers['join']> } {
  const wire = new FakeWire(peerId, outbound)
  const result = peers.join(wire, bits([1, 2]).toBytes(), sent)
  if (typeof result !== 'string') wire.handler = result
  return { wire, result }
}

describe('swarm/swarm-peers', () => {
  it('a peer joins: its session is kept by peer id, its pieces counted, the observer told; a choke round follows', async () => {
    const { peers, calls } = setup()
    const { result } = join(peers, 'a')
    assert.equal(typeof result, 'object')
    assert.equal(peers.all.get('a'), result)
    assert.deepEqual(calls, ['addPeer 2', 'joined a'])
    await settle()
    assert.deepEqual(calls.slice(2), ['rechoke'])
  })

  it('a newcomer hears of the pieces verified after our handshake went out', async () => {
    const { peers, have } = setup()
    const sent = bits([0]).toBytes()
    have.set(3)
    const { wire } = join(peers, 'a', true, sent)
    await settle()
    assert.deepEqual(wire.sent('have'), [3])
  })

  it('of two streams to one peer, the one opened by the lower peer id is kept; the other is refused as a duplicate', () => {
    const { peers } = setup(3, 'm-local')
    // 'a-peer' < 'm-local': the stream it dialled (inbound to us) wins over ours
    const ours = join(peers, 'a-peer', true)
    const theirs = join(peers, 'a-peer', false)
    assert.ok(ours.wire.closed)
    assert.equal(peers.all.get('a-peer'), theirs.result)
    assert.equal(join(peers, 'a-peer', true).result, 'duplicate')
    // 'z-peer' > 'm-local': the stream we dialled wins
    join(peers, 'z-peer', true)
    assert.equal(join(peers, 'z-peer', false).result, 'duplicate')
  })

  it('a full swarm refuses a newcomer while no peer has been idle for long', () => {
    const { peers } = setup(2)
    join(peers, 'a')
    join(peers, 'b')
    assert.equal(join(peers, 'c').result, 'swarm-full')
    assert.equal(peers.all.size, 2)
  })

  it('a peer leaves: gone from the map, its requests released, a violation reported, the others asked again', () => {
    const { peers, calls } = setup()
    const { wire, result } = join(peers, 'a')
    ;(result as PeerSession).request(1)
    calls.length = 0
    wire.close(new ProtocolViolationError('lied'))
    assert.equal(peers.all.has('a'), false)
    assert.deepEqual(calls, ['left a', 'removePeer 2', 'release 1', 'misbehaved a lied true', 'peerLeft a', 'fillAll'])
  })

  it('a replaced session leaving does not take its successor out of the map', () => {
    const { peers, calls } = setup(3, 'm-local')
    const ours = join(peers, 'a-peer', true)
    // its stream's end is told later, after the successor joined
    ours.wire.handler = undefined
    const theirs = join(peers, 'a-peer', false)
    ;(ours.result as PeerSession).onClose()
    assert.equal(peers.all.get('a-peer'), theirs.result)
    assert.ok(!calls.includes('left a-peer'))
    assert.ok(calls.includes('removePeer 2'), 'its pieces leave the picker all the same')
  })

  it('closeAll closes every session and empties the map', () => {
    const { peers } = setup()
    const a = join(peers, 'a')
    const b = join(peers, 'b')
    peers.closeAll()
    assert.ok(a.wire.closed && b.wire.closed)
    assert.equal(peers.all.size, 0)
  })
})
