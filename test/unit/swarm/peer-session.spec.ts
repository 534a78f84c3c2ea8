import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Bitfield } from '../../../src/core/bitfield.js'
import { READING, SWARM } from '../../../src/config/defaults.js'
import { PeerSession } from '../../../src/swarm/peer-session.js'
import { isNamedError, sha256 } from '../fixtures.js'
import { FakeWire } from './fake-wire.js'
import type { SessionHost } from '../../../src/swarm/peer-session.js'

const KiB = 1024
const PIECE = 64 * KiB
const PIECES = 4
/** Piece 3 is the short last piece. */
const LAST = 10_000

interface Received { index: number, chunks: Uint8Array[], digest: Buffer }

/** Records what the session tells its swarm. */
class FakeHost implements SessionHost {
  maxQueuedRequests = 3
  readonly refusalMs = SWARM.refusalMs
  readonly have = new Set<number>()
  readonly peerHave: number[] = []
  readonly received: Received[] = []
  readonly requestsEnded: number[] = []
  uploadWanted = 0
  readonly closed: Array<Error | undefined> = []

  pieceLength (index: number): number { return index === PIECES - 1 ? LAST : PIECE }
  hasPiece (index: number): boolean { return this.have.has(index) }
  onPeerHave (_s: PeerSession, index: number): void { this.peerHave.push(index) }
  buffersOut = 0
  takeBuffer (): Uint8Array { this.buffersOut++; return new Uint8Array(PIECE) }
  releaseBuffer (): void { this.buffersOut-- }
  onPieceReceived (_s: PeerSession, index: number, piece: Uint8Array): void {
    this.buffersOut--
    // a copy: the session hands over a pooled buffer
    this.received.push({ index, chunks: [piece.slice()], digest: sha256(piece) })
  }
  onRequestEnded (_s: PeerSession, index: number): void { this.requestsEnded.push(index) }
  onUploadWanted (): void { this.uploadWanted++ }
  unchoked = 0
  onUnchoked (): void { this.unchoked++ }
  /** Pieces the host wants fetched from other peers. */
  readonly elsewhere = new Set<number>()
  admitUpload (_s: PeerSession, index: number, insisted: boolean): boolean { return insisted || !this.elsewhere.has(index) }
  withdrawUpload (): void {}
  stoppedReading = 0
  onStoppedReading (): void { this.stoppedReading++ }
  onPeerClosed (_s: PeerSession, err?: Error): void { this.closed.push(err) }
}

function setup (remote: number[] = []): { host: FakeHost, wire: FakeWire, session: PeerSession } {
  const host = new FakeHost()
  const wire = new FakeWire()
  const remoteHas = new Bitfield(PIECES)
  for (const i of remote) remoteHas.set(i)
  return { host, wire, session: new PeerSession(host, wire, remoteHas) }
}

/** Deliver `data` as piece `index` in frames of `frame` bytes, as the wire would. */
function deliver (session: PeerSession, index: number, data: Uint8Array, frame = 16 * KiB, from = 0): void {
  for (let offset = from; offset < data.byteLength; offset += frame) {
    session.onPieceData(index, offset, data.subarray(offset, Math.min(offset + frame, data.byteLength)))
  }
}

const violation = isNamedError('ProtocolViolationError')

describe('swarm/peer-session', () => {
  it('takes its peer id from the wire and knows a seed', () => {
    const { session } = setup([0, 1, 2, 3])
    assert.equal(session.peerId, 'peer-A')
    assert.equal(session.isSeed, true)
    assert.equal(setup([0, 1]).session.isSeed, false)
  })

  describe('have', () => {
    it('records a new piece and tells the host once', () => {
      const { host, session } = setup([0])
      session.onHave(2)
      session.onHave(2)
      session.onHave(0)
      assert.deepEqual(host.peerHave, [2])
      assert.equal(session.remoteHas.has(2), true)
      assert.equal(session.remoteHas.count, 2)
    })
  })

  describe('the peer asks us for pieces (its serving half: see peer-serving.spec)', () => {
    it('a queued request shows in its queue and status, and the host hears of it with the session', () => {
      const { host, wire, session } = setup()
      host.have.add(0)
      session.setChoking(false)
      session.onRequest(0)
      assert.deepEqual(session.uploadQueue, [0])
      assert.equal(session.status().requestsQueued, 1)
      assert.equal(session.status().choked, false)
      assert.equal(host.uploadWanted, 1)
      session.onCancel(0)
      assert.deepEqual(session.uploadQueue, [])
      assert.deepEqual(wire.calls, [['unchoke']])
    })

    it('choking a closed session sends nothing', () => {
      const { wire, session } = setup()
      session.onClose()
      session.setChoking(false)
      assert.deepEqual(wire.calls, [])
      assert.equal(session.choking, true)
    })
  })

  describe('we ask the peer for pieces', () => {
    it('a CHOKED reject means we are choked, even without a Choke: no requests until an Unchoke', () => {
      const { host, session } = setup([0, 1])
      session.onUnchoke()
      session.request(0)
      session.onReject(0, 'choked')
      assert.equal(session.chokedBy, true)
      session.onUnchoke()
      assert.equal(session.chokedBy, false)
      assert.equal(host.unchoked, 2)
    })

    it('a request times out only once its bytes stop coming, not while a slow piece moves', () => {
      const { session } = setup([0])
      session.request(0)
      const requestedAt = Date.now()
      session.onPieceData(0, 0, new Uint8Array(1000))
      // the request is older than the deadline, but bytes came since
      assert.deepEqual(session.expiredRequests(requestedAt - 1), [])
      assert.deepEqual(session.expiredRequests(Date.now() + 1), [0])
    })

    it('a refused piece is not asked of the peer again for SWARM.refusalMs; a choke refusal is', () => {
      const { host, session } = setup([0, 1, 2, 3])
      session.request(0)
      session.request(1)
      const now = Date.now()
      session.onReject(0, 'elsewhere')
      session.onReject(1, 'choked')
      assert.deepEqual(host.requestsEnded, [0, 1])
      assert.equal(session.refusedLately(0, now), true)
      assert.equal(session.refusedLately(1, now), false)
      assert.equal(session.refusedLately(0, now + SWARM.refusalMs + 1000), false)
    })

    it('is choked by the peer until it unchokes us; the host hears of the unchoke once', () => {
      const { host, session } = setup([0])
      assert.equal(session.chokedBy, true)
      session.onUnchoke()
      session.onUnchoke()
      assert.equal(session.chokedBy, false)
      assert.equal(host.unchoked, 1)
      session.onChoke()
      assert.equal(session.chokedBy, true)
    })

    it('request sends it and counts its bytes in flight', () => {
      const { wire, session } = setup([0, 1, 2, 3])
      session.request(0)
      session.request(3)
      assert.deepEqual(wire.calls, [['request', 0], ['request', 3]])
      assert.equal(session.inflightBytes, PIECE + LAST)
      assert.deepEqual(session.requestedPieces(), [0, 3])
    })

    it('a complete piece goes to the host in one pooled buffer, with the right bytes', () => {
      const { host, session } = setup([0, 1, 2, 3])
      const data = randomBytes(PIECE)
      session.request(1)
      deliver(session, 1, data, 10_000)
      assert.equal(host.received.length, 1)
      const [got] = host.received
      assert.equal(got.index, 1)
      assert.ok(Buffer.concat(got.chunks).equals(data))
      assert.ok(got.digest.equals(sha256(data)))
      assert.equal(host.buffersOut, 0, 'the buffer went to the host with the piece')
      assert.equal(session.inflightBytes, 0)
      assert.equal(session.isRequested(1), false)
    })

    it('nothing goes to the host until the last byte arrives', () => {
      const { host, session } = setup([3])
      const data = randomBytes(LAST)
      session.request(3)
      session.onPieceData(3, 0, data.subarray(0, LAST - 1))
      assert.equal(host.received.length, 0)
      assert.equal(session.inflightBytes, LAST)
      session.onPieceData(3, LAST - 1, data.subarray(LAST - 1))
      assert.equal(host.received.length, 1)
      assert.ok(host.received[0].digest.equals(sha256(data)))
    })

    it('the digest of corrupted bytes is not the digest of the piece (the host decides)', () => {
      const { host, session } = setup([0])
      const data = randomBytes(PIECE)
      const bad = Buffer.from(data)
      bad[100] ^= 1
      session.request(0)
      deliver(session, 0, bad)
      assert.equal(host.received.length, 1)
      assert.ok(!host.received[0].digest.equals(sha256(data)))
      assert.ok(host.received[0].digest.equals(sha256(bad)))
    })

    it('data for a piece never requested is a ProtocolViolationError', () => {
      const { host, session } = setup([0, 1])
      session.request(0)
      assert.throws(() => { session.onPieceData(1, 0, randomBytes(100)) }, violation)
      assert.equal(host.received.length, 0)
    })

    it('data for a piece already received in full is a ProtocolViolationError', () => {
      const { session } = setup([0])
      const data = randomBytes(PIECE)
      session.request(0)
      deliver(session, 0, data)
      assert.throws(() => { session.onPieceData(0, 0, data.subarray(0, 100)) }, violation)
    })

    it('a reject ends the request and tells the host', () => {
      const { host, session } = setup([0, 1])
      session.request(0)
      session.request(1)
      session.onReject(0, 'not-available')
      assert.deepEqual(host.requestsEnded, [0])
      assert.equal(session.inflightBytes, PIECE)
      // data after the reject is not wanted
      assert.throws(() => { session.onPieceData(0, 0, randomBytes(10)) }, violation)
    })

    it('refusing as not-available pieces it announced is a ProtocolViolationError the third time (a liar)', () => {
      const { host, session } = setup([0, 1, 2, 3])
      for (const index of [0, 1, 2]) session.request(index)
      session.onReject(0, 'not-available')
      session.onReject(1, 'not-available')
      assert.throws(() => { session.onReject(2, 'not-available') }, (err: Error) => violation(err) && /refused 3 piece\(s\) it had announced/.test(err.message))
      // every request it refused was ended with the host first, so none is left marked as out
      assert.deepEqual(host.requestsEnded, [0, 1, 2])
    })

    it('refusing as not-available a piece it never announced, or for other reasons, is no offence', () => {
      const { session } = setup([3])
      for (const index of [0, 1, 2, 3]) session.request(index)
      for (const index of [0, 1, 2]) session.onReject(index, 'not-available')
      session.onReject(3, 'overloaded')
      assert.equal(session.score.count('false-claim'), 0)
    })

    it('a reject for a piece never requested is ignored', () => {
      const { host, session } = setup([0])
      session.onReject(2, 'overloaded')
      assert.deepEqual(host.requestsEnded, [])
      assert.equal(session.inflightBytes, 0)
    })

    it('expiredRequests lists requests sent before the deadline', async () => {
      const { session } = setup([0, 1, 2])
      session.request(0)
      await new Promise(resolve => setTimeout(resolve, 15))
      const deadline = Date.now()
      await new Promise(resolve => setTimeout(resolve, 5))
      session.request(1)
      assert.deepEqual(session.expiredRequests(deadline), [0])
      assert.deepEqual(session.expiredRequests(Date.now() + 1).sort(), [0, 1])
      deliver(session, 0, randomBytes(PIECE))
      assert.deepEqual(session.expiredRequests(Date.now() + 1), [1])
    })

    it('isHolding: silence for the whole time, or a piece trickling since its first byte; not a request waiting behind one that moves', async () => {
      const { session } = setup([0, 1, 2])
      const MS = 40
      session.request(0)
      session.request(1)
      await new Promise(resolve => setTimeout(resolve, MS + 10))
      assert.equal(session.isHolding(Date.now(), MS, 256), true, 'no data at all for the whole time')
      // piece 0 moves; piece 1 waits behind it (long enough to have expired, yet no offence)
      deliver(session, 0, randomBytes(4 * KiB), 4 * KiB)
      assert.equal(session.isHolding(Date.now(), MS, 256), false, 'a request queued behind a moving one')
      await new Promise(resolve => setTimeout(resolve, MS + 10))
      deliver(session, 0, randomBytes(5 * KiB), KiB, 4 * KiB)
      assert.equal(session.isHolding(Date.now(), MS, 256), false, '5 KiB in 50 ms is no trickle')
      assert.equal(session.isHolding(Date.now(), MS, 1024 * 1024 * 1024), true, 'under the rate asked since its first byte')
    })

    it('bytes of an abandoned copy are no service: a peer sending only those holds our requests', async () => {
      const { session } = setup([0, 1])
      const MS = 40
      session.request(0)
      session.request(1)
      deliver(session, 0, randomBytes(4 * KiB), 4 * KiB)
      session.abandon(0)
      await new Promise(resolve => setTimeout(resolve, MS + 10))
      // it ignores the cancel and goes on with piece 0, never starting piece 1
      deliver(session, 0, randomBytes(8 * KiB), 4 * KiB, 4 * KiB)
      assert.equal(session.isHolding(Date.now(), MS, 256), true)
    })
  })

  describe('a peer that does not read', () => {
    it('a piece sent is counted in its upload meter; a read stall reaches the host with the session, and closes it as a violation at READING.maxStalls', async () => {
      const { host, wire, session } = setup()
      assert.equal(await session.sendPiece(0, new Uint8Array(PIECE)), true)
      assert.equal(session.uploadMeter.bytes, PIECE)
      wire.watch?.onStall()
      assert.equal(session.reading, false)
      assert.equal(host.stoppedReading, 1)
      for (let stall = 2; stall <= READING.maxStalls; stall++) wire.watch?.onStall()
      const close = wire.calls.find(c => c[0] === 'close')
      assert.ok(close !== undefined && violation(close[1]))
    })

    it('counts as given what was handed to its stream, read or not', () => {
      const { wire, session } = setup()
      wire.stats.uploaded = 3 * PIECE
      assert.equal(session.given, 3 * PIECE)
      assert.equal(session.uploadMeter.bytes, 0)
    })
  })

  describe('abandon', () => {
    it('cancels a request, frees its bytes, and drops its late data silently', () => {
      const { host, wire, session } = setup([0, 1])
      const data = randomBytes(PIECE)
      session.request(0)
      session.request(1)
      session.onPieceData(0, 0, data.subarray(0, 1000))
      session.abandon(0)
      assert.deepEqual(wire.calls.slice(-1), [['cancel', 0]])
      assert.equal(session.inflightBytes, PIECE)
      deliver(session, 0, data, 16 * KiB, 1000)
      assert.equal(host.received.length, 0)
      assert.deepEqual(host.requestsEnded, [])
    })

    it('late data is forgiven once: after the piece has fully arrived, more is a violation', () => {
      const { session } = setup([0])
      const data = randomBytes(PIECE)
      session.request(0)
      session.abandon(0)
      deliver(session, 0, data)
      assert.throws(() => { session.onPieceData(0, 0, data.subarray(0, 10)) }, violation)
    })

    it('abandoning a piece never requested sends nothing', () => {
      const { wire, session } = setup([0])
      session.abandon(0)
      assert.deepEqual(wire.calls, [])
      assert.equal(session.inflightBytes, 0)
    })

    it('a piece abandoned and requested again is received whole', () => {
      const { host, session } = setup([0])
      const data = randomBytes(PIECE)
      session.request(0)
      session.abandon(0)
      session.request(0)
      deliver(session, 0, data)
      assert.equal(host.received.length, 1)
      assert.ok(host.received[0].digest.equals(sha256(data)))
    })

    it('a re-request after abandoning a half-received piece ignores the rest of the old transfer', () => {
      // The request timed out half way (the swarm abandons it) and the picker hands the same
      // piece to the same peer again. The peer had already started sending, so it finishes the
      // old run (offsets from the middle) and then answers the new request from offset 0.
      const { host, session } = setup([0])
      const data = randomBytes(PIECE)
      session.request(0)
      deliver(session, 0, data.subarray(0, PIECE / 2))
      session.abandon(0)
      session.request(0)
      assert.doesNotThrow(() => {
        deliver(session, 0, data, 16 * KiB, PIECE / 2) // the rest of the old answer
        deliver(session, 0, data) // the new answer
      })
      assert.equal(host.received.length, 1)
      assert.ok(host.received[0].digest.equals(sha256(data)), 'the piece was assembled from the wrong bytes')
    })
    it('a re-request after abandon tolerates the peer finishing the old answer too', () => {
      // SPEC.md: a Cancel does not stop a piece already being sent. The peer finishes the
      // first answer, then answers the second request: two whole copies, both honest.
      const { host, session } = setup([0])
      const data = randomBytes(PIECE)
      session.request(0)
      session.abandon(0)
      session.request(0)
      deliver(session, 0, data)
      assert.doesNotThrow(() => { deliver(session, 0, data) }, 'the second copy was treated as a protocol violation')
      assert.ok(host.received.length >= 1)
      assert.ok(host.received.every(r => r.digest.equals(sha256(data))))
    })
  })

  describe('inflightBytes', () => {
    it('follows requests, receipts, rejects and abandons back to zero', () => {
      const { session } = setup([0, 1, 2, 3])
      for (const i of [0, 1, 2, 3]) session.request(i)
      assert.equal(session.inflightBytes, 3 * PIECE + LAST)
      deliver(session, 3, randomBytes(LAST))
      assert.equal(session.inflightBytes, 3 * PIECE)
      session.onReject(1, 'overloaded')
      assert.equal(session.inflightBytes, 2 * PIECE)
      session.abandon(2)
      assert.equal(session.inflightBytes, PIECE)
      session.onPieceData(0, 0, randomBytes(1000))
      assert.equal(session.inflightBytes, PIECE, 'partial data does not free the request')
      deliver(session, 0, randomBytes(PIECE), 16 * KiB, 1000)
      assert.equal(session.inflightBytes, 0)
      // repeated endings change nothing
      session.abandon(0)
      session.onReject(1, 'overloaded')
      assert.equal(session.inflightBytes, 0)
    })
  })

  describe('close', () => {
    it('empties the upload queue and tells the host once, with the error', () => {
      const { host, session } = setup()
      host.have.add(0)
      session.onRequest(0)
      const err = new Error('reset')
      session.onClose(err)
      session.onClose()
      assert.equal(session.closed, true)
      assert.deepEqual(session.uploadQueue, [])
      assert.deepEqual(host.closed, [err])
    })
  })
})
