import assert from 'node:assert/strict'
import { READING, SCORING } from '../../../src/config/defaults.js'
import { PeerScore } from '../../../src/core/peer-score.js'
import { PeerServing } from '../../../src/swarm/peer-serving.js'
import { isNamedError } from '../fixtures.js'
import { FakeWire } from './fake-wire.js'
import type { ServingHost } from '../../../src/swarm/peer-serving.js'

const PIECE = 64 * 1024
const PIECES = 4

/** Records what the serving half tells its session and swarm. */
class FakeHost implements ServingHost {
  maxQueuedRequests = 3
  readonly have = new Set<number>()
  /** Pieces the swarm wants fetched from other peers. */
  readonly elsewhere = new Set<number>()
  uploadWanted = 0
  stoppedReading = 0
  /** Copies admitted, then withdrawn (choked, cancelled, or the exchange ended first). */
  readonly withdrawn: number[] = []
  readonly closed: Error[] = []
  hasPiece (index: number): boolean { return this.have.has(index) }
  admitUpload (index: number, insisted: boolean): boolean { return insisted || !this.elsewhere.has(index) }
  withdrawUpload (index: number): void { this.withdrawn.push(index) }
  onUploadWanted (): void { this.uploadWanted++ }
  onStoppedReading (): void { this.stoppedReading++ }
  close (err: Error): void { this.closed.push(err) }
}

function setup (): { host: FakeHost, wire: FakeWire, score: PeerScore, serving: PeerServing } {
  const host = new FakeHost()
  const wire = new FakeWire()
  const score = new PeerScore({ ...SCORING, maxReadStalls: READING.maxStalls, minReadRate: READING.minRate })
  return { host, wire, score, serving: new PeerServing({ wire, pieceCount: PIECES, score, host }) }
}

const violation = isNamedError('ProtocolViolationError')

describe('swarm/peer-serving', () => {
  describe('the peer asks us for pieces', () => {
    /** A serving half whose peer we unchoked (every exchange starts choked), calls cleared. */
    const unchoked = (): ReturnType<typeof setup> => {
      const parts = setup()
      parts.serving.setChoking(false)
      parts.wire.calls.length = 0
      return parts
    }

    it('rejects a piece we lack as not-available, without queueing it', () => {
      const { host, wire, serving } = unchoked()
      serving.onRequest(1)
      assert.deepEqual(wire.calls, [['reject', 1, 'not-available']])
      assert.deepEqual(serving.queue, [])
      assert.equal(host.uploadWanted, 0)
    })

    it('queues a piece we have, in order, and asks the host to upload', () => {
      const { host, wire, serving } = unchoked()
      host.have.add(0).add(2)
      serving.onRequest(2)
      serving.onRequest(0)
      assert.deepEqual(serving.queue, [2, 0])
      assert.equal(host.uploadWanted, 2)
      assert.deepEqual(wire.calls, [])
    })

    it('rejects as overloaded past maxQueuedRequests', () => {
      const { host, wire, serving } = unchoked()
      host.have.add(0).add(1).add(2).add(3)
      host.maxQueuedRequests = 2
      serving.onRequest(0)
      serving.onRequest(1)
      serving.onRequest(2)
      serving.onRequest(3)
      assert.deepEqual(serving.queue, [0, 1])
      assert.deepEqual(wire.calls, [['reject', 2, 'overloaded'], ['reject', 3, 'overloaded']])
      // a slot frees up once the swarm takes one off the queue
      serving.take(() => 0)
      serving.onRequest(3)
      assert.deepEqual(serving.queue, [1, 3])
    })

    it('a piece we lack is not-available even when the queue is full', () => {
      const { host, wire, serving } = unchoked()
      host.have.add(0)
      host.maxQueuedRequests = 1
      serving.onRequest(0)
      serving.onRequest(1)
      assert.deepEqual(wire.calls, [['reject', 1, 'not-available']])
    })

    it('a cancel removes the queued request', () => {
      const { host, serving } = unchoked()
      host.have.add(0).add(1).add(2)
      serving.onRequest(0)
      serving.onRequest(1)
      serving.onRequest(2)
      serving.onCancel(1)
      serving.onCancel(3) // not queued: ignored
      assert.deepEqual(serving.queue, [0, 2])
      // the cancelled copy will not go out: the swarm counts it no more
      assert.deepEqual(host.withdrawn, [1])
    })

    it('rejects a piece the host wants fetched elsewhere, without queueing it', () => {
      const { host, wire, serving } = unchoked()
      host.have.add(0).add(1)
      host.elsewhere.add(1)
      serving.onRequest(1)
      serving.onRequest(0)
      assert.deepEqual(wire.calls, [['reject', 1, 'elsewhere']])
      assert.deepEqual(serving.queue, [0])
    })

    it('tells the peer to get a piece elsewhere once: asked again, it is served', () => {
      const { host, wire, serving } = unchoked()
      host.have.add(1)
      host.elsewhere.add(1)
      serving.onRequest(1)
      serving.onRequest(1)
      assert.deepEqual(wire.calls, [['reject', 1, 'elsewhere']])
      assert.deepEqual(serving.queue, [1])
    })

    it('a piece asked for twice is queued once', () => {
      const { host, wire, serving } = unchoked()
      host.have.add(0)
      serving.onRequest(0)
      serving.onRequest(0)
      assert.deepEqual(serving.queue, [0])
      assert.deepEqual(wire.calls, [])
    })

    it('starts choked: a request is rejected as choked, not queued and not a violation', () => {
      const { host, wire, serving } = setup()
      host.have.add(0)
      serving.onRequest(0)
      assert.deepEqual(wire.calls, [['reject', 0, 'choked']])
      assert.deepEqual(serving.queue, [])
    })

    it('requests while choked: SCORING.maxChokedRequests before any unchoke is a ProtocolViolationError', () => {
      const { serving } = setup()
      for (let i = 1; i < SCORING.maxChokedRequests; i++) serving.onRequest(0)
      assert.throws(() => { serving.onRequest(0) }, (err: Error) => violation(err) && /while choked/.test(err.message))
    })

    it('requests soon after we choke again are no offence (the peer had not seen the choke)', () => {
      const { host, serving, score } = setup()
      host.have.add(0)
      serving.setChoking(false)
      serving.setChoking(true)
      for (let i = 0; i < SCORING.maxChokedRequests * 2; i++) serving.onRequest(0)
      assert.equal(score.count('choked-request'), 0)
    })

    it('unchoking tells the peer once; choking again rejects what it had queued', () => {
      const { host, wire, serving } = setup()
      host.have.add(0).add(1)
      serving.setChoking(false)
      serving.setChoking(false)
      serving.onRequest(0)
      serving.onRequest(1)
      serving.setChoking(true)
      assert.deepEqual(wire.calls, [['unchoke'], ['choke'], ['reject', 0, 'choked'], ['reject', 1, 'choked']])
      assert.deepEqual(serving.queue, [])
      // copies admitted and never sent count no more (initial seeding would refuse them to others)
      assert.deepEqual(host.withdrawn, [0, 1])
    })

    it('the exchange ending withdraws the copies still queued; one taken to be sent stays counted', () => {
      const { host, serving } = setup()
      host.have.add(0).add(1).add(2)
      serving.setChoking(false)
      serving.onRequest(0)
      serving.onRequest(1)
      serving.onRequest(2)
      serving.take(() => 0)
      serving.clear()
      assert.deepEqual(host.withdrawn, [1, 2])
    })
  })

  describe('a peer that asks us for nothing', () => {
    it('is idle once unchoked for quietMs with nothing asked; a request, a queued or a taken piece, a piece just sent make it busy again', () => {
      const { host, serving } = setup()
      host.have.add(0).add(1)
      const quiet = 500
      assert.equal(serving.asksNothing(Date.now() + 10 * quiet, quiet), false, 'a choked peer holds no slot to be idle in')
      serving.setChoking(false)
      const unchokedAt = Date.now()
      assert.equal(serving.asksNothing(unchokedAt + quiet / 2, quiet), false)
      assert.equal(serving.asksNothing(unchokedAt + 2 * quiet, quiet), true)
      serving.onRequest(0)
      const askedAt = Date.now()
      assert.equal(serving.asksNothing(askedAt + 2 * quiet, quiet), false, 'a piece is queued')
      serving.take(() => 0)
      assert.equal(serving.asksNothing(askedAt + 2 * quiet, quiet), false, 'a piece is being read or sent')
      serving.finish(0)
      const sentAt = Date.now()
      assert.equal(serving.asksNothing(sentAt + quiet / 2, quiet), false, 'our last piece to it went out lately')
      assert.equal(serving.asksNothing(sentAt + 2 * quiet, quiet), true)
      // a request we refuse still says the peer asks
      serving.onRequest(3)
      assert.equal(serving.asksNothing(Date.now() + quiet / 2, quiet), false)
    })
  })

  describe('uploads read ahead', () => {
    it('a piece the peer cancels after it left the queue is marked cancelled; one not cancelled is not', () => {
      const { host, serving } = setup()
      host.have.add(0)
      host.have.add(1)
      serving.setChoking(false)
      serving.onRequest(0)
      serving.onRequest(1)
      while (serving.take(() => 0) !== undefined) {}
      serving.onCancel(1)
      assert.equal(serving.isCancelled(0), false)
      assert.equal(serving.isCancelled(1), true)
      // withdrawn by the uploader when it drops the read copy, not here
      assert.deepEqual(host.withdrawn, [])
      serving.finish(0)
      serving.finish(1)
      // asked again later: sent again
      serving.onRequest(1)
      serving.take(() => 0)
      assert.equal(serving.isCancelled(1), false)
    })
  })

  describe('a peer that does not read', () => {
    it('every piece send is watched with READING\'s stall time and rate', async () => {
      const { wire, serving } = setup()
      await serving.send(0, new Uint8Array(PIECE))
      assert.equal(wire.watch?.stallMs, READING.stallMs)
      assert.equal(wire.watch?.minRate, READING.minRate)
    })

    it('loses its slot at the first stall, reads again once it takes bytes, and is dropped as a violation at READING.maxStalls', async () => {
      const { host, wire, serving } = setup()
      let finish!: (sent: boolean) => void
      wire.nextSend = new Promise(resolve => { finish = resolve })
      const sending = serving.send(0, new Uint8Array(PIECE))
      await Promise.resolve()
      wire.watch?.onStall()
      assert.equal(serving.reading, false)
      assert.equal(host.stoppedReading, 1)
      // stalls go on while the same send waits: counted, reported once
      wire.watch?.onStall()
      assert.equal(host.stoppedReading, 1)
      wire.watch?.onRead?.()
      assert.equal(serving.reading, true)
      finish(true)
      assert.equal(await sending, true)

      for (let stall = 3; stall < READING.maxStalls; stall++) wire.watch?.onStall()
      assert.equal(host.closed.length, 0)
      wire.watch?.onStall()
      assert.equal(host.closed.length, 1)
      assert.ok(isNamedError('ProtocolViolationError', new RegExp(`did not read what we sent it, ${READING.maxStalls} times`))(host.closed[0]), 'not closed as a violation')
    })
  })
})
