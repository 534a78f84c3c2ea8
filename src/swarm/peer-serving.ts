import { Bitfield } from '../core/bitfield.js'
import { READING, SCORING } from '../config/defaults.js'
import { ProtocolViolationError } from '../errors.js'
import { UploadQueue } from './upload-queue.js'
import type { PeerScore } from '../core/peer-score.js'
import type { Pacing, PieceWire, ReadWatch } from '../core/wire.js'

/** What the serving half needs of its session and swarm: the session's host calls, bound to the session. */
export interface ServingHost {
  hasPiece(index: number): boolean
  readonly maxQueuedRequests: number
  /** See SessionHost.admitUpload. */
  admitUpload(index: number, insisted: boolean): boolean
  /** See SessionHost.withdrawUpload. */
  withdrawUpload(index: number): void
  onUploadWanted(): void
  onStoppedReading(): void
  /** End the exchange as a violation. */
  close(err: Error): void
}

export interface PeerServingInit {
  /** The session's wire: this half writes its rejects, chokes and pieces for the session. */
  wire: PieceWire
  /** The piece count (the size of the bitfield of pieces told to get elsewhere). */
  pieceCount: number
  /** The session's score: choked requests and read stalls count against the peer. */
  score: PeerScore
  host: ServingHost
}

/**
 * The serving half of one peer session: our choke on the peer, what it asks us for (queued,
 * refused, or sent elsewhere once) and whether it reads what we send it. Owned by the
 * PeerSession, which reaches it only through its own methods.
 */
export class PeerServing {
  private readonly wire: PieceWire
  private readonly score: PeerScore
  private readonly host: ServingHost
  private readonly pieceCount: number
  private readonly uploads = new UploadQueue()
  /**
   * Pieces we told this peer to get elsewhere: once per piece, so a peer that cannot get it
   * elsewhere gets it from us when it asks again.
   */
  private sentElsewhere?: Bitfield
  /** We refuse this peer's requests (no upload slot); every exchange starts choked. */
  private chokingPeer = true
  /** When we last unchoked the peer, it last asked us for a piece while unchoked, or we finished sending it one (ms). */
  private quietSince = 0
  /** When we last choked the peer after unchoking it; unset while we never unchoked it. */
  private chokedAt?: number
  /** The peer takes what we send it; false from a stall (READING) until it takes bytes again. */
  private isReading = true
  /** How a piece send reports a peer that does not read. */
  private readonly readWatch: ReadWatch = {
    stallMs: READING.stallMs,
    minRate: READING.minRate,
    onStall: () => { this.onReadStall() },
    // eligible for a slot again from the next choke round
    onRead: () => { this.isReading = true }
  }

  constructor (init: PeerServingInit) {
    this.wire = init.wire
    this.score = init.score
    this.host = init.host
    this.pieceCount = init.pieceCount
  }

  get choking (): boolean { return this.chokingPeer }
  get reading (): boolean { return this.isReading }
  /** The peer's requests queued with us, in order. */
  get queue (): readonly number[] { return this.uploads.pending }

  /** Choke or unchoke the peer; choking rejects what it had queued. */
  setChoking (choking: boolean): void {
    if (choking === this.chokingPeer) return
    this.chokingPeer = choking
    if (!choking) {
      this.quietSince = Date.now()
      this.wire.sendUnchoke()
      return
    }
    this.wire.sendChoke()
    this.chokedAt = Date.now()
    for (const index of this.uploads.clear()) {
      this.host.withdrawUpload(index)
      this.wire.sendReject(index, 'choked')
    }
  }

  /** The peer asks for `index`: refused (and why), ignored as a repeat, or queued. */
  onRequest (index: number): void {
    if (this.chokingPeer) {
      // it may not have seen our choke yet: not a violation, unless it keeps asking
      this.wire.sendReject(index, 'choked')
      this.onChokedRequest()
      return
    }
    this.quietSince = Date.now()
    if (!this.host.hasPiece(index)) {
      this.wire.sendReject(index, 'not-available')
    } else if (this.uploads.includes(index)) {
      // asked twice: one copy is enough
    } else if (this.uploads.pending.length >= this.host.maxQueuedRequests) {
      this.wire.sendReject(index, 'overloaded')
    } else if (!this.host.admitUpload(index, this.sentElsewhere?.has(index) === true)) {
      this.sentElsewhere ??= new Bitfield(this.pieceCount)
      this.sentElsewhere.set(index)
      this.wire.sendReject(index, 'elsewhere')
    } else {
      this.uploads.push(index)
      this.host.onUploadWanted()
    }
  }

  /**
   * Unchoked, with nothing queued or being sent, and no request for `quietMs` since its
   * unchoke, its last request or our last piece to it: it gets what we offer from others (see
   * core/choker's `idle`).
   */
  asksNothing (now: number, quietMs: number): boolean {
    return !this.chokingPeer && this.uploads.idle && now - this.quietSince > quietMs
  }

  onCancel (index: number): void {
    if (this.uploads.cancel(index)) this.host.withdrawUpload(index)
  }

  /** The upload side takes the piece at `pick(queue)` from the queue, to read and send it. */
  take (pick: (queue: readonly number[]) => number): number | undefined {
    return this.uploads.take(pick)
  }

  /** The peer cancelled `index` after it was taken from the queue. */
  isCancelled (index: number): boolean {
    return this.uploads.isCancelled(index)
  }

  /** Send a piece taken from the queue, watching the peer read (READING); false if the wire closed first. */
  async send (index: number, data: Uint8Array, pacing?: Pacing): Promise<boolean> {
    return await this.wire.sendPiece(index, data, pacing, this.readWatch)
  }

  /** The upload side is done with `index`, sent or not: the peer's quiet time starts again (it may still be reading it). */
  finish (index: number): void {
    this.quietSince = Date.now()
    this.uploads.finish(index)
  }

  /** The exchange ended: nothing queued is served. */
  clear (): void {
    for (const index of this.uploads.clear()) this.host.withdrawUpload(index)
  }

  /**
   * A request while choked: an offence before we ever unchoked it, long after we choked it, or
   * while it does not read (it asks on without taking our answers: it cannot have missed the
   * Choke for lack of time).
   */
  private onChokedRequest (): void {
    if (this.isReading && this.chokedAt !== undefined && Date.now() - this.chokedAt <= SCORING.chokeGraceMs) return
    const verdict = this.score.record('choked-request')
    if (verdict !== undefined) throw new ProtocolViolationError(verdict)
  }

  /** A send waited READING.stallMs on the peer: it loses its slot at once; after READING.maxStalls, the exchange (and a ban). */
  private onReadStall (): void {
    const verdict = this.score.record('read-stall')
    if (verdict !== undefined) {
      this.host.close(new ProtocolViolationError(verdict))
      return
    }
    if (!this.isReading) return
    this.isReading = false
    this.host.onStoppedReading()
  }
}
