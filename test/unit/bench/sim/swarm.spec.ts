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
})
