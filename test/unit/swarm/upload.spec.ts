import assert from 'node:assert/strict'
import { SWARM } from '../../../src/config/defaults.js'
import { TokenBucket } from '../../../src/utils/token-bucket.js'
import { pieceOf, until } from '../fixtures.js'
import { PIECE, PIECES, deliver, join, settle, swarmWith } from './swarm-kit.js'
import type { Kit } from './swarm-kit.js'
import type { SwarmInit } from '../../../src/swarm/swarm.js'

const LIMITS: SwarmInit['limits'] = { maxInflightBytesPerPeer: 1024 * 1024, maxQueuedRequestsPerPeer: 16, maxPeersPerSwarm: 10, maxBadPieces: 3, uploadSlots: 4 }

describe('swarm/upload', () => {
  const kits: Kit[] = []
  const seeding = async (init: Partial<SwarmInit> = {}): Promise<Kit> => {
    const kit = await swarmWith('all', init)
    kits.push(kit)
    return kit
  }
  afterEach(async () => { for (const kit of kits.splice(0)) await kit.swarm.stop() })

  it('unchokes an interested peer and serves its requests in order, counting the bytes', async () => {
    const { swarm, content } = await seeding()
    const { wire, handler } = await join(swarm, 'leecher')
    assert.deepEqual(wire.calls, [['unchoke']])
    handler.onRequest(2)
    handler.onRequest(0)
    await until(() => wire.sent('piece').length === 2)
    assert.deepEqual(wire.sent('piece'), [2, 0])
    const bytes = pieceOf(content, 2).byteLength + pieceOf(content, 0).byteLength
    assert.equal(swarm.uploaded, bytes)
    assert.equal(swarm.uploadMeter.bytes, bytes)
    const status = swarm.peers.get('leecher')?.status()
    assert.equal(status?.uploaded, bytes)
    assert.equal(status?.choked, false)
    assert.equal(status?.requestsQueued, 0)
  })

  it('sends the piece fewest of its peers have first, whatever the order of the requests', async () => {
    const { swarm } = await seeding()
    await join(swarm, 'holder', [1, 2])
    await join(swarm, 'half-holder', [1])
    const { wire, handler } = await join(swarm, 'leecher')
    // piece 1 is held by two peers, piece 2 by one, piece 0 by none; the first request is
    // taken at once (nothing else waits), the other two by how rare they are
    handler.onRequest(1)
    handler.onRequest(2)
    handler.onRequest(0)
    await until(() => wire.sent('piece').length === 3)
    assert.deepEqual(wire.sent('piece'), [1, 0, 2])
  })

  it('leaves a peer that lacks nothing choked, and rejects its requests as choked', async () => {
    const { swarm } = await seeding()
    const { wire, handler } = await join(swarm, 'other-seed', 'all')
    assert.deepEqual(wire.calls, [])
    handler.onRequest(1)
    assert.deepEqual(wire.calls, [['reject', 1, 'choked']])
  })

  it('past uploadSlots, a peer stays choked', async () => {
    const { swarm } = await seeding({ limits: { ...LIMITS, uploadSlots: 1 } })
    const first = await join(swarm, 'first')
    const second = await join(swarm, 'second')
    const chokedNow = (id: string): boolean => swarm.peers.get(id)?.choking === true
    assert.equal([chokedNow('first'), chokedNow('second')].filter(c => !c).length, 1, 'one slot, one unchoked peer')
    const choked = chokedNow('first') ? first : second
    choked.handler.onRequest(3)
    assert.ok(choked.wire.has(['reject', 3, 'choked']))
  })

  it('a peer that comes to lack nothing we have gives its slot at once to a peer waiting for one', async () => {
    const kit = await swarmWith([0, 1, 2], { limits: { ...LIMITS, uploadSlots: 1 } })
    kits.push(kit)
    const { swarm } = kit
    const peers = { first: await join(swarm, 'first'), second: await join(swarm, 'second') }
    await settle()
    const chokedNow = (id: string): boolean => swarm.peers.get(id)?.choking === true
    const [holder, waiting] = chokedNow('first') ? ['second', 'first'] as const : ['first', 'second'] as const
    const holderHandler = peers[holder].handler
    holderHandler.onHave(0)
    holderHandler.onHave(1)
    assert.equal(chokedNow(waiting), true, 'it still lacks piece 2: it keeps its slot')
    holderHandler.onHave(2)
    assert.equal(chokedNow(waiting), false, 'the slot went to the waiting peer without a choke round')
    assert.equal(chokedNow(holder), true, 'one slot: the peer that wants nothing is choked')
  })

  it('an unchoked peer that asks us for nothing for SWARM.idleSlotMs gives its slot to peers waiting for one; it keeps it while no one waits', async () => {
    const idleSlotMs = 40
    const kit = await swarmWith([0, 1, 2], { limits: { ...LIMITS, uploadSlots: 2 }, tuning: { ...SWARM, idleSlotMs } })
    kits.push(kit)
    const { swarm, content } = kit
    const chokedNow = (id: string): boolean => swarm.peers.get(id)?.choking === true
    // the giver sends us a piece: tit-for-tat ranks it first, yet it asks us for nothing
    const giver = await join(swarm, 'giver', [3, 4])
    giver.handler.onUnchoke()
    const [index] = giver.wire.sent('request')
    deliver(giver.handler, index, pieceOf(content, index))
    await settle()
    assert.equal(chokedNow('giver'), false)
    await new Promise(resolve => setTimeout(resolve, 2 * idleSlotMs))
    await join(swarm, 'other-seed', 'all')
    assert.equal(chokedNow('giver'), false, 'nobody waits: the slot stays')
    await join(swarm, 'second')
    assert.equal(chokedNow('giver'), false, 'one waits, a slot is free: both hold one')
    await join(swarm, 'third')
    // (without the rule the giver, first by its rate, would keep the regular slot)
    assert.equal(chokedNow('second'), false)
    assert.equal(chokedNow('third'), false)
    assert.equal(chokedNow('giver'), true, 'the peer that asked nothing lost its slot')
  })

  it('a peer that stops reading loses its slot at once to a peer waiting for one, and gets none while it does not read', async () => {
    const { swarm } = await seeding({ limits: { ...LIMITS, uploadSlots: 1 } })
    const first = await join(swarm, 'first')
    const second = await join(swarm, 'second')
    const chokedNow = (id: string): boolean => swarm.peers.get(id)?.choking === true
    const [holder, waiting] = chokedNow('first') ? [second, first] : [first, second]
    holder.wire.hold = new Promise(() => {})
    holder.handler.onRequest(0)
    await until(() => holder.wire.watches.length === 1)
    holder.wire.watches[0]?.onStall()
    assert.ok(holder.wire.has(['choke']), 'the peer that does not read is not choked')
    assert.equal(chokedNow(waiting.wire.remotePeer), false, 'its slot did not go to the waiting peer')
    // a later round (a newcomer's) leaves it choked while it does not read
    await join(swarm, 'third')
    await settle()
    assert.equal(chokedNow(holder.wire.remotePeer), true)
  })

  it('a piece cancelled while it is read ahead is not sent; the rest are', async () => {
    const { swarm, store } = await seeding()
    const reads: Array<() => void> = []
    const read = store.readPiece.bind(store)
    store.readPiece = async (index) => {
      await new Promise<void>(resolve => { reads.push(resolve) })
      return await read(index)
    }
    const { wire, handler } = await join(swarm, 'leecher')
    for (const index of [0, 1, 2]) handler.onRequest(index)
    await settle()
    assert.equal(reads.length, 1, 'the first read starts at once')
    reads[0]()
    await settle()
    assert.equal(reads.length, 3, 'the rest are read ahead while the first is sent')
    assert.deepEqual(wire.sent('piece'), [0])
    handler.onCancel(1)
    for (const release of reads) release()
    await until(() => wire.sent('piece').length === 2)
    await settle()
    assert.deepEqual(wire.sent('piece'), [0, 2])
    assert.equal(swarm.uploaded, 2 * PIECE, 'the cancelled piece is not counted')
  })

  it('a cancel for a piece still queued takes it off the queue', async () => {
    const { swarm, store } = await seeding()
    let release!: () => void
    const read = store.readPiece.bind(store)
    store.readPiece = async (index) => {
      if (index === 0) await new Promise<void>(resolve => { release = resolve })
      return await read(index)
    }
    const { wire, handler } = await join(swarm, 'leecher')
    handler.onRequest(0)
    await settle()
    handler.onRequest(4)
    handler.onCancel(4)
    release()
    await until(() => wire.sent('piece').length === 1)
    await settle()
    assert.deepEqual(wire.sent('piece'), [0])
  })

  it('initial seeding: a piece another peer already got is sent elsewhere once, then served when asked again', async () => {
    const { swarm } = await seeding({ initialSeed: true })
    const first = await join(swarm, 'first')
    const second = await join(swarm, 'second')
    first.handler.onRequest(0)
    await until(() => first.wire.sent('piece').length === 1)
    second.handler.onRequest(0)
    assert.ok(second.wire.has(['reject', 0, 'elsewhere']))
    second.handler.onRequest(1)
    second.handler.onRequest(0)
    await until(() => second.wire.sent('piece').length === 2)
    assert.deepEqual(second.wire.sent('piece'), [1, 0])
  })

  it('initial seeding: once every piece has gone out, a piece another peer has is still sent elsewhere, not a second time from the seed', async () => {
    const { swarm } = await seeding({ initialSeed: true })
    const first = await join(swarm, 'first')
    const second = await join(swarm, 'second')
    for (let i = 0; i < PIECES; i++) first.handler.onRequest(i)
    await until(() => first.wire.sent('piece').length === PIECES)
    second.handler.onRequest(3)
    assert.ok(second.wire.has(['reject', 3, 'elsewhere']))
    assert.deepEqual(second.wire.sent('piece'), [])
    // the first peer left: nobody else has it now, so the seed sends it
    first.handler.onClose()
    await settle()
    second.handler.onRequest(4)
    await until(() => second.wire.sent('piece').length === 1)
    assert.deepEqual(second.wire.sent('piece'), [4])
  })

  it('initial seeding: a copy cancelled before it went out counts no more: the next peer to ask it is served', async () => {
    const { swarm, store } = await seeding({ initialSeed: true })
    let release!: () => void
    const read = store.readPiece.bind(store)
    store.readPiece = async (index) => {
      if (index === 0) await new Promise<void>(resolve => { release = resolve })
      return await read(index)
    }
    const first = await join(swarm, 'first')
    const second = await join(swarm, 'second')
    first.handler.onRequest(0)
    await settle()
    first.handler.onRequest(1)
    first.handler.onCancel(1)
    // piece 1 went to no one: not 'elsewhere' (the first peer never got it)
    second.handler.onRequest(1)
    await until(() => second.wire.sent('piece').length === 1)
    assert.ok(!second.wire.has(['reject', 1, 'elsewhere']))
    release()
    await until(() => first.wire.sent('piece').length === 1)
    assert.deepEqual(first.wire.sent('piece'), [0])
  })

  it('under an upload limit, pieces go out paced, in runs of a sixteenth of the rate', async () => {
    const rate = 4 * 1024 * 1024
    const { swarm } = await seeding({ rates: { upload: new TokenBucket(rate, rate), download: new TokenBucket(0, 0) } })
    const { wire, handler } = await join(swarm, 'leecher')
    handler.onRequest(0)
    await until(() => wire.pacings.length === 1)
    assert.equal(wire.pacings[0]?.runBytes, Math.max(SWARM.minPacedRun, rate / SWARM.pacedRunsPerSecond))
  })

  it('a failed read closes the peer with the error', async () => {
    const { swarm, store } = await seeding()
    store.readPiece = async () => { throw new Error('gone') }
    const { wire, handler } = await join(swarm, 'leecher')
    handler.onRequest(0)
    await until(() => wire.closed)
    assert.equal(swarm.peers.has('leecher'), false)
  })
})
