import { createHash } from 'node:crypto'
import { Bitfield } from '../core/bitfield.js'
import { SCORING } from '../config/defaults.js'
import { PeerScore } from '../core/peer-score.js'
import { ProtocolViolationError } from '../errors.js'
import { RateMeter } from '../utils/rate-meter.js'
import type { PieceWire, PieceWireHandler, RejectReason } from '../core/wire.js'
import type { Hash } from 'node:crypto'

/** ms before a piece a peer refused is asked of that peer again. */
export const REFUSAL_MS = 3000

/** A piece being received from this peer. */
interface Incoming {
  readonly requestedAt: number
  /** When its last bytes came (the request time until the first): a slow piece that still moves is not timed out. */
  progressAt: number
  readonly length: number
  /** When its first byte came: how fast it comes is measured from there (not from the request, which may queue). */
  firstByteAt?: number
  /** Taken from the host's pool when the first byte arrives; the piece is copied in. */
  buffer?: Uint8Array
  /** SHA-256 of the bytes so far, computed as they are copied (the data is in cache once). */
  hash?: Hash
  received: number
}

/** What a peer session needs from its swarm: the swarm owns all cross-peer state. */
export interface SessionHost {
  pieceLength(index: number): number
  hasPiece(index: number): boolean
  readonly maxQueuedRequests: number
  onPeerHave(session: PeerSession, index: number): void
  /** A piece-sized buffer to receive into; given back with `releaseBuffer` or `onPieceReceived`. */
  takeBuffer(): Uint8Array
  releaseBuffer(buffer: Uint8Array): void
  /** All bytes of a requested piece arrived; `piece` views a taken buffer, `digest` is its SHA-256 (not yet compared). */
  onPieceReceived(session: PeerSession, index: number, piece: Uint8Array, digest: Buffer): void
  onRequestEnded(session: PeerSession, index: number): void
  /** The peer unchoked us: requests may go out. */
  onUnchoked(session: PeerSession): void
  /**
   * The peer asked for a piece we have and queue room is left: count the copy, or say no
   * (false) when it should get this piece from another peer (initial seeding); with
   * `insisted` (it asks again after being told so) the copy is counted and never refused.
   */
  admitUpload(session: PeerSession, index: number, insisted: boolean): boolean
  onUploadWanted(session: PeerSession): void
  onPeerClosed(session: PeerSession, err?: Error): void
}

/**
 * One peer in one swarm: its bitfield, what we asked it for, what it asked us for. Turns wire
 * events into calls on the swarm; does no picking and no storage itself.
 */
export class PeerSession implements PieceWireHandler {
  readonly peerId: string
  readonly wire: PieceWire
  readonly remoteHas: Bitfield
  readonly connectedAt = Date.now()
  /** Requests we sent this peer, by piece index. */
  readonly incoming = new Map<number, Incoming>()
  /**
   * Pieces we stopped waiting for, with how many copies may still be on their way: their
   * late bytes are dropped, not held against the peer (a cancel does not stop a piece that
   * is already being sent).
   */
  private readonly abandoned = new Map<number, number>()
  /** Pieces the peer refused us, with when we may ask again: the picker skips them meanwhile. */
  private readonly refused = new Map<number, number>()
  /**
   * Pieces we told this peer to get elsewhere: once per piece, so a peer that cannot get it
   * elsewhere gets it from us when it asks again.
   */
  private sentElsewhere?: Bitfield
  /** Piece indexes this peer asked us for, in order. */
  readonly uploadQueue: number[] = []
  /** Taken from the queue and being read or sent; those the peer cancelled meanwhile. */
  private readonly readAhead = new Set<number>()
  private readonly cancelledUploads = new Set<number>()
  inflightBytes = 0
  badPieces = 0
  /** Offences short of a protocol violation; enough of them end the exchange with one. */
  readonly score = new PeerScore(SCORING)
  uploading = false
  closed = false
  /** We refuse this peer's requests (no upload slot); every exchange starts choked. */
  choking = true
  /** When we last choked the peer after unchoking it; unset while we never unchoked it. */
  private chokedAt?: number
  /** The peer refuses our requests. */
  chokedBy = true
  /** Requests are out but nothing came for a while: its pieces went to others. */
  snubbed = false
  /** Piece bytes received from / sent to this peer, recently (for the choker and status). */
  readonly downloadMeter = new RateMeter()
  readonly uploadMeter = new RateMeter()
  /** When piece bytes last arrived (or the first request went out): for snubbing. */
  lastDataAt = Date.now()
  /**
   * Shortest time seen from a request to its first byte, in ms: the round trip without
   * queueing (the first requests after an idle spell meet no queue).
   */
  roundTripMs = Number.POSITIVE_INFINITY

  /** Aborted when the session closes: waits on its behalf (upload pacing) end with it. */
  private readonly lifetime = new AbortController()

  get signal (): AbortSignal {
    return this.lifetime.signal
  }

  constructor (private readonly host: SessionHost, wire: PieceWire, remoteHas: Bitfield) {
    this.peerId = wire.remotePeer
    this.wire = wire
    this.remoteHas = remoteHas
  }

  get isSeed (): boolean {
    return this.remoteHas.complete
  }

  request (index: number): void {
    const length = this.host.pieceLength(index)
    const now = Date.now()
    if (this.incoming.size === 0) this.lastDataAt = now
    this.incoming.set(index, { requestedAt: now, progressAt: now, length, received: 0 })
    this.inflightBytes += length
    this.wire.sendRequest(index)
  }

  /** Choke or unchoke the peer; choking rejects what it had queued. */
  setChoking (choking: boolean): void {
    if (choking === this.choking || this.closed) return
    this.choking = choking
    if (!choking) {
      this.wire.sendUnchoke()
      return
    }
    this.wire.sendChoke()
    this.chokedAt = Date.now()
    for (const index of this.uploadQueue) this.wire.sendReject(index, 'choked')
    this.uploadQueue.length = 0
  }

  /** Requests out and no piece bytes for `ms`: the peer stopped answering. */
  isStalled (now: number, ms: number): boolean {
    return this.incoming.size > 0 && now - this.lastDataAt > ms
  }

  /** Every request still out, abandoned (cancelled) so other peers can take them. */
  abandonAll (): number[] {
    const indexes = [...this.incoming.keys()]
    for (const index of indexes) this.abandon(index)
    return indexes
  }

  /** Stop waiting for `index` (got it elsewhere, or timed out) and tell the peer. */
  abandon (index: number): void {
    if (this.forget(index)) {
      this.abandoned.set(index, (this.abandoned.get(index) ?? 0) + 1)
      this.wire.sendCancel(index)
    }
  }

  /** Requests with no bytes since `deadline` (sent before it, and silent since). */
  expiredRequests (deadline: number): number[] {
    const out: number[] = []
    for (const [index, piece] of this.incoming) if (piece.progressAt < deadline) out.push(index)
    return out
  }

  /** Pieces whose bytes started before `since` and have come slower than `minRate` (bytes/s) since: a trickle. */
  tricklingRequests (since: number, now: number, minRate: number): number[] {
    const out: number[] = []
    for (const [index, piece] of this.incoming) if (trickles(piece, since, now, minRate)) out.push(index)
    return out
  }

  /**
   * The peer holds our requests without serving them: no data at all for `ms`, or a piece
   * it is sending has trickled for that long. (A request waiting in its queue is neither.)
   */
  isHolding (now: number, ms: number, minRate: number): boolean {
    if (this.isStalled(now, ms)) return true
    for (const piece of this.incoming.values()) if (trickles(piece, now - ms, now, minRate)) return true
    return false
  }

  onHave (index: number): void {
    if (this.remoteHas.has(index)) return
    this.remoteHas.set(index)
    this.host.onPeerHave(this, index)
  }

  onRequest (index: number): void {
    if (this.choking) {
      // it may not have seen our choke yet: not a violation, unless it keeps asking
      this.wire.sendReject(index, 'choked')
      this.onChokedRequest()
    } else if (!this.host.hasPiece(index)) {
      this.wire.sendReject(index, 'not-available')
    } else if (this.uploadQueue.includes(index)) {
      // asked twice: one copy is enough
    } else if (this.uploadQueue.length >= this.host.maxQueuedRequests) {
      this.wire.sendReject(index, 'overloaded')
    } else if (!this.host.admitUpload(this, index, this.sentElsewhere?.has(index) === true)) {
      this.sentElsewhere ??= new Bitfield(this.remoteHas.length)
      this.sentElsewhere.set(index)
      this.wire.sendReject(index, 'elsewhere')
    } else {
      this.uploadQueue.push(index)
      this.host.onUploadWanted(this)
    }
  }

  /** A request while choked: an offence before we ever unchoked it, or long after we choked it. */
  private onChokedRequest (): void {
    if (this.chokedAt !== undefined && Date.now() - this.chokedAt <= SCORING.chokeGraceMs) return
    const verdict = this.score.record('choked-request')
    if (verdict !== undefined) throw new ProtocolViolationError(verdict)
  }

  onCancel (index: number): void {
    const at = this.uploadQueue.indexOf(index)
    if (at >= 0) this.uploadQueue.splice(at, 1)
    // already read ahead for sending: dropped before it goes out (else the peer waits behind
    // bytes it no longer wants, and its next request looks stalled)
    else if (this.readAhead.has(index)) this.cancelledUploads.add(index)
  }

  /** The swarm takes `index` from the queue to read and send it. */
  startUpload (index: number): void {
    this.readAhead.add(index)
  }

  /** The peer cancelled `index` after the swarm took it from the queue: do not send it (or the rest of it). */
  isCancelled (index: number): boolean {
    return this.cancelledUploads.has(index)
  }

  /** The swarm is done with `index`, sent or not. */
  finishUpload (index: number): void {
    this.readAhead.delete(index)
    this.cancelledUploads.delete(index)
  }

  onReject (index: number, reason: RejectReason): void {
    if (!this.forget(index)) return
    // a choke says nothing about the piece, but it says we are choked (even without a Choke:
    // else a peer answering every request so would have us ask again at once, forever);
    // any other refusal would come again at once
    if (reason === 'choked') this.chokedBy = true
    else this.refused.set(index, Date.now() + REFUSAL_MS)
    this.host.onRequestEnded(this, index)
    if (reason === 'not-available' && this.remoteHas.has(index)) {
      // it announced this piece: an honest peer never loses a verified piece
      const verdict = this.score.record('false-claim')
      if (verdict !== undefined) throw new ProtocolViolationError(verdict)
    }
  }

  /** Whether the peer refused `index` lately (not worth asking it again yet). */
  refusedLately (index: number, now: number): boolean {
    const until = this.refused.get(index)
    if (until === undefined) return false
    if (until > now) return true
    this.refused.delete(index)
    return false
  }

  onChoke (): void {
    this.chokedBy = true
  }

  onUnchoke (): void {
    if (!this.chokedBy) return
    this.chokedBy = false
    this.host.onUnchoked(this)
  }

  onPieceData (index: number, offset: number, data: Uint8Array): void {
    const piece = this.incoming.get(index)
    if (piece === undefined) {
      this.onStaleData(index, offset + data.byteLength)
      return
    }
    if (offset !== piece.received) {
      // a copy starts at offset 0; any other gap is the tail of an abandoned older copy
      if (offset !== 0) {
        this.onStaleData(index, offset + data.byteLength)
        return
      }
      piece.received = 0
      piece.hash = undefined
    }
    const now = Date.now()
    this.lastDataAt = now
    piece.progressAt = now
    this.snubbed = false
    this.downloadMeter.add(data.byteLength)
    if (piece.buffer === undefined) this.roundTripMs = Math.min(this.roundTripMs, now - piece.requestedAt)
    piece.firstByteAt ??= now
    // copy out of the transport's buffers at once, so they can be collected young
    piece.buffer ??= this.host.takeBuffer()
    piece.buffer.set(data, piece.received)
    piece.hash ??= createHash('sha256')
    piece.hash.update(data)
    piece.received += data.byteLength
    if (piece.received < piece.length) return
    const buffer = piece.buffer
    const digest = piece.hash.digest()
    piece.buffer = undefined
    this.forget(index)
    this.host.onPieceReceived(this, index, buffer.subarray(0, piece.length), digest)
  }

  /** Bytes of a copy we no longer wait for: dropped if we abandoned one, a violation otherwise. */
  private onStaleData (index: number, end: number): void {
    const copies = this.abandoned.get(index)
    if (copies === undefined) throw new ProtocolViolationError(`piece ${index} was not requested`)
    if (end >= this.host.pieceLength(index)) {
      if (copies <= 1) this.abandoned.delete(index)
      else this.abandoned.set(index, copies - 1)
    }
  }

  onClose (err?: Error): void {
    if (this.closed) return
    this.closed = true
    this.lifetime.abort()
    this.uploadQueue.length = 0
    for (const piece of this.incoming.values()) {
      if (piece.buffer !== undefined) this.host.releaseBuffer(piece.buffer)
      piece.buffer = undefined
    }
    this.host.onPeerClosed(this, err)
  }

  /** Drop our request for `index`; true if there was one. */
  private forget (index: number): boolean {
    const piece = this.incoming.get(index)
    if (piece === undefined) return false
    this.incoming.delete(index)
    this.inflightBytes -= piece.length
    if (piece.buffer !== undefined) this.host.releaseBuffer(piece.buffer)
    return true
  }
}

function trickles (piece: Incoming, since: number, now: number, minRate: number): boolean {
  return piece.firstByteAt !== undefined && piece.firstByteAt < since && piece.received * 1000 < minRate * (now - piece.firstByteAt)
}
