import assert from 'node:assert/strict'
import { EventQueue } from '../../../../bench/sim/event-queue.js'
import { FluidNetwork } from '../../../../bench/sim/fluid.js'
import { SimPeer, bitStorage } from '../../../../bench/sim/peer.js'
import { seededRandom } from '../../../../bench/sim/random.js'
import { SimSwarm } from '../../../../bench/sim/swarm.js'
import { DEFAULTS } from '../../../../src/config/defaults.js'
import type { PeerSpec, World } from '../../../../bench/sim/peer.js'

const spec: PeerSpec = { up: 5e6, down: Infinity, latency: 0.01 }

function world (): { world: World, swarm: SimSwarm } {
  const queue = new EventQueue()
  const pieceSize = 256 * 1024
  const result: World = {
    queue,
    net: new FluidNetwork(queue),
    random: seededRandom(3),
    pieceSize,
    pieceCount: 2,
    fileBytes: 2 * pieceSize,
    nowMs: () => queue.now * 1000,
    stats: { wastedBytes: 0, endgameBytes: 0, deliveredBytes: 0 },
    meanLatency: spec.latency,
    bitStorage: bitStorage(2),
    received: (link, index) => { swarm.received(link, index) }
  }
  const swarm = new SimSwarm(result, { onComplete: () => {}, onStored: () => {} })
  return { world: result, swarm }
}

describe('bench/sim/swarm', () => {
  it('a slot held by a peer that got everything we have goes at once to a peer waiting for one (Uploader.peerGained)', () => {
    const { world: w, swarm } = world()
    // a leecher with piece 0 of 2, and one more empty peer than it has slots
    const holder = new SimPeer(0, spec, 0, w, false)
    holder.picker.markHave(0)
    const others = Array.from({ length: DEFAULTS.limits.uploadSlots + 1 }, (_, i) => new SimPeer(i + 1, spec, 0, w, false))
    for (const other of others) swarm.connect(holder, other)
    const waiting = others.filter(o => holder.links.get(o.id)?.choking === true)
    assert.equal(waiting.length, 1)
    // no ticks, so no choke rounds: only the Haves of the peers it served can free a slot
    w.queue.run()
    for (const other of others) assert.ok(other.have.has(0), `peer ${other.id} got piece 0`)
  })

  it('a link reads the remote\'s pieces as the picker does, from its Haves on (bits kept in place)', () => {
    const { world: w, swarm } = world()
    const seed = new SimPeer(0, spec, 0, w, true)
    const holder = new SimPeer(1, spec, 0, w, false)
    holder.picker.markHave(1)
    const leecher = new SimPeer(2, spec, 0, w, false)
    swarm.connect(leecher, seed)
    swarm.connect(leecher, holder)
    const [toSeed, toHolder] = [leecher.links.get(0), leecher.links.get(1)]
    assert.ok(toSeed !== undefined && toHolder !== undefined)
    assert.equal(toSeed.isSeed, true)
    assert.deepEqual([toHolder.isSeed, toHolder.remoteCount, toHolder.remoteHasPiece(0), toHolder.remoteHasPiece(1)], [false, 1, false, true])
    assert.deepEqual([leecher.picker.availabilityOf(0), leecher.picker.availabilityOf(1)], [1, 2])
    // the holder's Have of piece 0: the link knows it, the picker's view of the same bits too
    assert.equal(toHolder.remoteGained(0), true)
    assert.equal(toHolder.remoteGained(0), false, 'a second Have of a piece is no news')
    assert.deepEqual([toHolder.isSeed, toHolder.remoteCount, toHolder.remoteHas.has(0)], [true, 2, true])
    assert.deepEqual([holder.hasPiece(1), holder.hasPiece(0), leecher.hasPiece(1)], [true, false, false])
  })

  it('a Have reaches its hearer: a leecher that sees only another leecher gets every piece through it', () => {
    const { world: w, swarm } = world()
    const seed = new SimPeer(0, spec, 0, w, true)
    const middle = new SimPeer(1, spec, 0, w, false)
    const last = new SimPeer(2, spec, 0, w, false)
    swarm.connect(middle, seed)
    swarm.connect(last, middle)
    // `last` learns what `middle` has only from its Haves (middle had nothing when they met)
    assert.equal(last.links.get(1)?.remoteCount, 0)
    w.queue.run()
    assert.equal(last.have.complete, true)
    assert.equal(middle.uploaded, w.fileBytes)
  })

  it('a copy queued to a peer that leaves before it went out counts no more in the seed\'s ledger (CopyLedger.withdraw)', () => {
    const { world: w, swarm } = world()
    const seed = new SimPeer(0, spec, 0, w, true)
    const leecher = new SimPeer(1, spec, 0, w, false)
    swarm.connect(leecher, seed)
    const link = seed.links.get(1)
    assert.ok(link !== undefined)
    // both requests arrive: one goes out at once, the other waits its turn
    w.queue.run(() => link.queue.length > 0)
    const sending = link.sending
    const queued = link.queue[0]
    assert.ok(sending !== undefined && queued !== undefined)
    assert.deepEqual([seed.copies.copiesOf(sending), seed.copies.copiesOf(queued)], [1, 1])
    swarm.close(link)
    assert.deepEqual([seed.copies.copiesOf(sending), seed.copies.copiesOf(queued)], [1, 0])
    assert.equal(seed.copies.lastRecipient(queued), undefined)
  })
})
