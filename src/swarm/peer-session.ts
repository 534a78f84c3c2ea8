import { READING, SCORING } from '../config/defaults.js'
import { PeerScore } from '../core/peer-score.js'
import { ProtocolViolationError } from '../errors.js'
import { RateMeter } from '../utils/rate-meter.js'
import { PeerServing } from './peer-serving.js'
import { RequestBook } from './requests.js'
import type { SessionHost } from './session-host.js'
import type { Bitfield } from '../core/bitfield.js'
import type { PeerStatus } from './types.js'
import type { Pacing, PieceWire, PieceWireHandler, RejectReason } from '../core/wire.js'

export type { SessionHost } from './session-host.js'

/**
 * One peer in one swarm: its bitfield, what we asked it for, what it asked us for, and every
 * flag about it. The only writer to its wire (with its serving half, PeerServing, which it
 * owns): the swarm asks through methods. Turns wire events into calls on the swarm; does no
 * picking and no storage itself.
 */
export class PeerSession implements PieceWireHandler {
  readonly peerId: string
  readonly remoteHas: Bitfield
  readonly connectedAt = Date.now()
  /** Offences short of a protocol violation; enough of them end the exchange with one. */
  readonly score = new PeerScore({ ...SCORING, maxReadStalls: READING.maxStalls, minReadRate: READING.minRate })
  /** Piece bytes received from / sent to this peer, recently (for the choker and status). */
  readonly downloadMeter = new RateMeter()
  readonly uploadMeter = new RateMeter()
  private readonly wire: PieceWire
  private readonly requests = new RequestBook()
  /** What the peer asks of us, our choke on it, and whether it reads what we send. */
  private readonly serving: PeerServing
  private badPieceCount = 0
  private isClosed = false
  /** The peer refuses our requests. */
  private chokedByPeer = true
  /** Requests are out but nothing came for a while: its pieces went to others. */
  private isSnubbed = false
  /** Aborted when the session closes: waits on its behalf (upload pacing) end with it. */
  private readonly lifetime = new AbortController()

  constructor (private readonly host: SessionHost, wire: PieceWire, remoteHas: Bitfield) {
    this.peerId = wire.remotePeer
    this.wire = wire
    this.remoteHas = remoteHas
    this.serving = new PeerServing({
      wire,
      pieceCount: remoteHas.length,
      score: this.score,
      host: {
        hasPiece: (index) => host.hasPiece(index),
        get maxQueuedRequests () { return host.maxQueuedRequests },
        admitUpload: (index, insisted) => host.admitUpload(this, index, insisted),
        withdrawUpload: (index) => { host.withdrawUpload(this, index) },
        onUploadWanted: () => { host.onUploadWanted(this) },
        onStoppedReading: () => { host.onStoppedReading(this) },
        close: (err) => { this.close(err) }
      }
    })
  }

  get signal (): AbortSignal { return this.lifetime.signal }
  get isSeed (): boolean { return this.remoteHas.complete }
  get closed (): boolean { return this.isClosed }
  get choking (): boolean { return this.serving.choking }
  get chokedBy (): boolean { return this.chokedByPeer }
  get snubbed (): boolean { return this.isSnubbed }
  get badPieces (): number { return this.badPieceCount }
  get reading (): boolean { return this.serving.reading }
  /**
   * Piece bytes handed to this peer's stream, counted as each run is written, read or not:
   * what the choker weighs (a peer holding our bytes unread has had them).
   */
  get given (): number { return this.wire.stats.uploaded }
  /** When piece bytes last arrived (or the first request went out): for snubbing. */
  get lastDataAt (): number { return this.requests.lastDataAt }
  /** Shortest time from a request to its first byte, in ms: the round trip without queueing. */
  get roundTripMs (): number { return this.requests.roundTripMs }
  get inflightBytes (): number { return this.requests.inflightBytes }
  /** Requests out to the peer. */
  get requestsOut (): number { return this.requests.size }
  /** The peer's requests queued with us, in order. */
  get uploadQueue (): readonly number[] { return this.serving.queue }

  /** See PeerServing.asksNothing. */
  asksNothing (now: number, quietMs: number): boolean {
    return this.serving.asksNothing(now, quietMs)
  }

  /** Whether a request for `index` is out to this peer. */
  isRequested (index: number): boolean {
    return this.requests.has(index)
  }

  requestedPieces (): number[] {
    return this.requests.indexes()
  }

  /** Whether we opened this exchange's stream (ties between two streams to one peer are broken on it). */
  get outbound (): boolean {
    return this.wire.outbound
  }

  /** The peer as `status --peers` shows it. */
  status (): PeerStatus {
    return {
      peerId: this.peerId,
      piecesHave: this.remoteHas.count,
      seed: this.isSeed,
      downloaded: this.downloadMeter.bytes,
      uploaded: this.uploadMeter.bytes,
      downloadRate: Math.round(this.downloadMeter.rate()),
      uploadRate: Math.round(this.uploadMeter.rate()),
      choked: this.serving.choking,
      chokingUs: this.chokedByPeer,
      snubbed: this.isSnubbed,
      requestsOut: this.requests.size,
      requestsQueued: this.serving.queue.length
    }
  }

  request (index: number): void {
    this.requests.add(index, this.host.pieceLength(index), Date.now())
    this.wire.sendRequest(index)
  }

  /** Tell the peer we have a piece now. */
  announce (index: number): void {
    this.wire.sendHave(index)
  }

  /** End the exchange; with an error, as a violation or failure (the stream is reset). */
  close (err?: Error): void {
    this.wire.close(err)
  }

  /** Count a piece from this peer that failed verification; returns the count so far. */
  recordBadPiece (): number {
    return ++this.badPieceCount
  }

  /** The peer held our requests without serving them: scored; returns the verdict once that is too often. */
  recordStall (): string | undefined {
    return this.score.record('stall')
  }

  /** The peer stopped answering: its requests are abandoned (returned) and it gets one piece at a time until data comes. */
  snub (): number[] {
    this.isSnubbed = true
    return this.abandonAll()
  }

  /** Choke or unchoke the peer; choking rejects what it had queued. */
  setChoking (choking: boolean): void {
    if (this.isClosed) return
    this.serving.setChoking(choking)
  }

  /** Requests out and no piece bytes for `ms`: the peer stopped answering. */
  isStalled (now: number, ms: number): boolean {
    return this.requests.size > 0 && now - this.requests.lastDataAt > ms
  }

  /** Every request still out, abandoned (cancelled) so other peers can take them. */
  abandonAll (): number[] {
    const indexes = this.requests.indexes()
    for (const index of indexes) this.abandon(index)
    return indexes
  }

  /** Stop waiting for `index` (got it elsewhere, or timed out) and tell the peer. */
  abandon (index: number): void {
    const piece = this.requests.abandon(index)
    if (piece === undefined) return
    this.release(piece.buffer)
    this.wire.sendCancel(index)
  }

  /** Requests with no bytes since `deadline` (sent before it, and silent since). */
  expiredRequests (deadline: number): number[] {
    return this.requests.expired(deadline)
  }

  /** Pieces whose bytes started before `since` and have come slower than `minRate` (bytes/s) since: a trickle. */
  tricklingRequests (since: number, now: number, minRate: number): number[] {
    return this.requests.trickling(since, now, minRate)
  }

  /**
   * The peer holds our requests without serving them: no data at all for `ms`, or a piece
   * it is sending has trickled for that long. (A request waiting in its queue is neither.)
   */
  isHolding (now: number, ms: number, minRate: number): boolean {
    return this.isStalled(now, ms) || this.requests.trickling(now - ms, now, minRate).length > 0
  }

  /** Whether the peer refused `index` lately (not worth asking it again yet). */
  refusedLately (index: number, now: number): boolean {
    return this.requests.refusedLately(index, now)
  }

  /** The upload side takes the piece at `pick(queue)` from the queue, to read and send it. */
  takeUpload (pick: (queue: readonly number[]) => number): number | undefined {
    return this.serving.take(pick)
  }

  /** The peer cancelled `index` after it was taken from the queue: do not send it (or the rest of it). */
  isCancelled (index: number): boolean {
    return this.serving.isCancelled(index)
  }

  /**
   * Send a piece taken from the queue, watching the peer read (READING); true if it all went
   * out (its bytes are counted), false if the wire closed first.
   */
  async sendPiece (index: number, data: Uint8Array, pacing?: Pacing): Promise<boolean> {
    const sent = await this.serving.send(index, data, pacing)
    if (sent) this.uploadMeter.add(data.byteLength)
    return sent
  }

  /** The upload side is done with `index`, sent or not. */
  finishUpload (index: number): void {
    this.serving.finish(index)
  }

  onHave (index: number): void {
    if (this.remoteHas.has(index)) return
    this.remoteHas.set(index)
    this.host.onPeerHave(this, index)
  }

  onRequest (index: number): void {
    this.serving.onRequest(index)
  }

  onCancel (index: number): void {
    this.serving.onCancel(index)
  }

  onReject (index: number, reason: RejectReason): void {
    const piece = this.requests.forget(index)
    if (piece === undefined) return
    this.release(piece.buffer)
    // a choke says nothing about the piece, but it says we are choked (even without a Choke:
    // else a peer answering every request so would have us ask again at once, forever);
    // any other refusal would come again at once
    if (reason === 'choked') this.chokedByPeer = true
    else this.requests.refuse(index, Date.now() + this.host.refusalMs)
    this.host.onRequestEnded(this, index)
    if (reason === 'not-available' && this.remoteHas.has(index)) {
      // it announced this piece: an honest peer never loses a verified piece
      const verdict = this.score.record('false-claim')
      if (verdict !== undefined) throw new ProtocolViolationError(verdict)
    }
  }

  onChoke (): void {
    this.chokedByPeer = true
  }

  onUnchoke (): void {
    if (!this.chokedByPeer) return
    this.chokedByPeer = false
    this.host.onUnchoked(this)
  }

  onPieceData (index: number, offset: number, data: Uint8Array): void {
    const received = this.requests.receive(index, offset, data, this.host)
    if (received === 'stale') return
    this.isSnubbed = false
    this.downloadMeter.add(data.byteLength)
    if (received !== undefined) this.host.onPieceReceived(this, index, received.piece, received.requestedAt)
  }

  onClose (err?: Error): void {
    if (this.isClosed) return
    this.isClosed = true
    this.lifetime.abort()
    this.serving.clear()
    for (const piece of this.requests.values()) {
      this.release(piece.buffer)
      piece.buffer = undefined
    }
    this.host.onPeerClosed(this, err)
  }

  private release (buffer?: Uint8Array): void {
    if (buffer !== undefined) this.host.releaseBuffer(buffer)
  }
}
