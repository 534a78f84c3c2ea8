import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { pieceOf } from '../fixtures.js'
import { SWARM } from '../../../src/config/defaults.js'
import { FakeWire, PIECE, PIECES, deliver, join, settle, swarmWith } from './swarm-kit.js'
import type { Kit } from './swarm-kit.js'
import type { Swarm } from '../../../src/swarm/swarm.js'

describe('swarm/swarm', () => {
  const swarms: Swarm[] = []
  const started = async (...args: Parameters<typeof swarmWith>): Promise<Kit> => {
    const kit = await swarmWith(...args)
    swarms.push(kit.swarm)
    return kit
  }
  afterEach(async () => { for (const swarm of swarms.splice(0)) await swarm.stop() })

  it('asks a peer for nothing until it unchokes us, then for pieces it has', async () => {
    const { swarm } = await started([])
    const { wire, handler } = await join(swarm, 'seed', [1, 2, 3])
    assert.deepEqual(wire.sent('request'), [])
    handler.onUnchoke()
    assert.deepEqual(wire.sent('request').sort(), [1, 2, 3])
    assert.equal(swarm.state, 'downloading')
  })

  it('a verified piece is written, then announced to every peer, seeds too', async () => {
    const { swarm, store, content, observed } = await started([])
    const seed = await join(swarm, 'seed', 'all')
    const leecher = await join(swarm, 'leecher', [])
    seed.handler.onUnchoke()
    const [first] = seed.wire.sent('request')
    deliver(seed.handler, first, pieceOf(content, first))
    await settle()
    assert.ok(Buffer.from(await store.readPiece(first)).equals(pieceOf(content, first)))
    assert.equal(swarm.have.has(first), true)
    assert.deepEqual(observed.verified, [first])
    assert.deepEqual(leecher.wire.sent('have'), [first])
    assert.deepEqual(seed.wire.sent('have'), [first])
    assert.equal(swarm.downloaded, pieceOf(content, first).byteLength)
  })

  it('a disk slower than the peers: once two pieces wait to be written, nothing more is asked for until one is', async () => {
    const limits = { maxInflightBytesPerPeer: 2 * PIECE, maxQueuedRequestsPerPeer: 16, maxPeersPerSwarm: 10, maxBadPieces: 3, uploadSlots: 4 }
    const { swarm, store, content } = await started([], { limits, tuning: { ...SWARM, maxUnwrittenBytes: 1 } })
    const writes: Array<() => void> = []
    const write = store.writePiece.bind(store)
    store.writePiece = async (...args) => { await new Promise<void>(resolve => writes.push(resolve)); await write(...args) }
    // whole pieces only (the last one is short)
    const { wire, handler } = await join(swarm, 'seed', [0, 1, 2, 3])
    handler.onUnchoke()
    const first = wire.sent('request')
    assert.equal(first.length, 2, 'a window of two pieces')
    for (const index of first) deliver(handler, index, pieceOf(content, index))
    await settle()
    assert.equal(writes.length, 2)
    // the first piece in, one waits (under two): the window is filled again; the second in, two wait
    assert.equal(wire.sent('request').length, 3, 'nothing more asked for while two wait for the disk')
    handler.onHave(4)
    await settle()
    assert.equal(wire.sent('request').length, 3, 'not even for a piece the peer just announced')
    writes.shift()?.()
    await settle()
    assert.equal(wire.sent('request').length, 4, 'one written: the window is asked full again')
    for (const resolve of writes.splice(0)) resolve()
    await settle()
    assert.equal(swarm.have.count, 2)
  })

  it('a bad piece is counted against its sender, re-requested, and the peer closed after maxBadPieces', async () => {
    const { swarm, content, observed } = await started([], { limits: { maxInflightBytesPerPeer: 1024 * 1024, maxQueuedRequestsPerPeer: 16, maxPeersPerSwarm: 10, maxBadPieces: 2, uploadSlots: 4 } })
    const { wire, handler } = await join(swarm, 'liar', 'all')
    handler.onUnchoke()
    const [a, b] = wire.sent('request')
    deliver(handler, a, randomBytes(pieceOf(content, a).byteLength))
    await settle()
    assert.deepEqual(observed.misbehaviour, [{ peerId: 'liar', reason: 'sent 1 piece(s) that failed verification', fatal: false }])
    assert.equal(swarm.have.has(a), false)
    assert.equal(swarm.peers.get('liar')?.badPieces, 1)
    deliver(handler, b, randomBytes(pieceOf(content, b).byteLength))
    await settle()
    assert.equal(observed.misbehaviour[1].fatal, true)
    assert.ok(wire.closed)
    const closing = wire.calls.find(c => c[0] === 'close')
    assert.equal((closing?.[1] as Error).name, 'ProtocolViolationError')
    assert.equal(swarm.peers.has('liar'), false)
    assert.deepEqual(observed.left, ['liar'])
    assert.equal(swarm.wasted, pieceOf(content, a).byteLength + pieceOf(content, b).byteLength)
    // nothing bad was written
    assert.equal(swarm.have.count, 0)
  })

  it('endgame: a piece asked of two peers is cancelled with the one that did not send it', async () => {
    const { swarm, content } = await started([])
    const first = await join(swarm, 'first', 'all')
    const second = await join(swarm, 'second', 'all')
    first.handler.onUnchoke()
    assert.equal(first.wire.sent('request').length, PIECES, 'every piece is requested: endgame')
    second.handler.onUnchoke()
    const both = second.wire.sent('request')
    assert.ok(both.length > 0, 'endgame asks a second peer for pieces already requested')
    const piece = both[0]
    deliver(first.handler, piece, pieceOf(content, piece))
    assert.ok(second.wire.has(['cancel', piece]))
    // its copy, already under way, is dropped without blame
    deliver(second.handler, piece, pieceOf(content, piece))
    await settle()
    assert.equal(second.wire.closed, false)
    assert.equal(swarm.have.has(piece), true)
  })

  it('completes: every piece verified, state seeding, seeds let go, the observer told once', async () => {
    const { swarm, content, observed } = await started([])
    const seed = await join(swarm, 'seed', 'all')
    const leecher = await join(swarm, 'leecher', [0])
    seed.handler.onUnchoke()
    for (const index of seed.wire.sent('request')) deliver(seed.handler, index, pieceOf(content, index))
    await settle()
    assert.equal(swarm.state, 'seeding')
    assert.equal(observed.complete, 1)
    assert.ok(swarm.completedAt !== undefined)
    assert.ok(seed.wire.closed, 'seeds have nothing to trade with each other')
    assert.equal(leecher.wire.closed, false)
    assert.deepEqual([...swarm.peers.keys()], ['leecher'])
  })

  it('a failed write fails the swarm and closes every peer', async () => {
    const { swarm, store, content } = await started([])
    store.writePiece = async () => { throw new Error('disk full') }
    const { wire, handler } = await join(swarm, 'seed', 'all')
    handler.onUnchoke()
    const [index] = wire.sent('request')
    deliver(handler, index, pieceOf(content, index))
    await settle()
    assert.equal(swarm.state, 'error')
    assert.equal(swarm.error?.message, 'disk full')
    assert.ok(wire.closed)
  })

  it('a peer that leaves gives its requests back to the picker', async () => {
    const { swarm } = await started([])
    const first = await join(swarm, 'first', [0, 1])
    const second = await join(swarm, 'second', [0, 1])
    first.handler.onUnchoke()
    assert.deepEqual(first.wire.sent('request').sort(), [0, 1])
    second.handler.onUnchoke()
    assert.deepEqual(second.wire.sent('request'), [], 'both pieces are out to the first peer')
    first.wire.close(new Error('reset'))
    assert.deepEqual(second.wire.sent('request').sort(), [0, 1])
  })

  it('refuses a second stream to the same peer unless it is the one both sides keep, and refuses peers past maxPeersPerSwarm', async () => {
    const { swarm } = await started([], { localPeerId: 'b-local', limits: { maxInflightBytesPerPeer: 1024 * 1024, maxQueuedRequestsPerPeer: 16, maxPeersPerSwarm: 2, maxBadPieces: 3, uploadSlots: 4 } })
    // 'a-peer' < 'b-local': the stream it dialled (inbound to us) wins over ours
    const ours = await join(swarm, 'a-peer', [])
    const theirs = new FakeWire('a-peer', false)
    assert.notEqual(typeof swarm.attach(theirs, new Uint8Array(1)), 'string')
    assert.ok(ours.wire.closed)
    assert.equal(swarm.attach(new FakeWire('a-peer', true), new Uint8Array(1)), 'duplicate')
    await join(swarm, 'c-peer', [])
    assert.equal(swarm.attach(new FakeWire('d-peer'), new Uint8Array(1)), 'swarm-full')
  })

  it('stops: every peer closed, no more peers accepted', async () => {
    const { swarm } = await started('all')
    const { wire } = await join(swarm, 'leecher', [])
    await swarm.stop()
    assert.ok(wire.closed)
    assert.equal(swarm.state, 'stopped')
    assert.equal(swarm.attach(wire, new Uint8Array(1)), 'shutting-down')
  })
})
