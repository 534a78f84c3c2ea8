import { Bitfield } from '../core/bitfield.js'
import { PieceLayout } from '../core/layout.js'
import { pieceHash } from '../core/manifest.js'
import { PiecePicker } from '../core/piece-picker.js'
import { ProtocolViolationError } from '../errors.js'
import { BufferPool } from '../utils/buffer-pool.js'
import { PeerSession } from './peer-session.js'
import type { SessionHost } from './peer-session.js'
import type { Manifest } from '../core/manifest.js'
import type { PieceWire, PieceWireHandler, RejectReason, SwarmEndpoint } from '../core/wire.js'
import type { PieceStore } from '../storage/piece-store.js'
import type { Logger } from '@libp2p/interface'

/** Bytes of pieces read from disk ahead of sending, per peer being served. */
const READ_AHEAD_BYTES = 2 * 1024 * 1024

export type SwarmState = 'downloading' | 'seeding' | 'stopped' | 'error'

export interface SwarmLimits {
  maxInflightBytesPerPeer: number
  maxQueuedRequestsPerPeer: number
  maxPeersPerSwarm: number
  maxBadPieces: number
  /** ms before an unanswered request goes to another peer. */
  requestTimeout: number
}

/** What a swarm reports to its owner. Synchronous calls, owner-side only. */
export interface SwarmObserver {
  onProgress?(swarm: Swarm): void
  onComplete?(swarm: Swarm): void
  /** A peer sent bad data or broke the protocol; the owner decides on bans. */
  onMisbehaviour?(swarm: Swarm, peerId: string, reason: string, fatal: boolean): void
  onError?(swarm: Swarm, err: Error): void
}

export interface SwarmInit {
  contentId: string
  manifest: Manifest
  /** Absolute path of the content on disk, for status. */
  path: string
  store: PieceStore
  have: Bitfield
  localPeerId: string
  limits: SwarmLimits
  log: Logger
  observer?: SwarmObserver
}

/**
 * One content id and the peers we trade it with. Composes the picker (what to ask for),
 * the peer sessions (per-peer state), and the store (verified pieces); owns the rules that
 * join them: verify before write, write before announce, re-request on any failure.
 */
export class Swarm implements SwarmEndpoint, SessionHost {
  readonly contentId: string
  readonly manifest: Manifest
  readonly path: string
  readonly layout: PieceLayout
  readonly have: Bitfield
  readonly peers = new Map<string, PeerSession>()
  uploaded = 0
  downloaded = 0
  /** Bytes received that were thrown away: bad pieces and endgame duplicates. */
  wasted = 0
  error?: Error
  private stateValue: SwarmState
  private readonly store: PieceStore
  private readonly picker: PiecePicker
  private readonly limits: SwarmLimits
  private readonly localPeerId: string
  private readonly log: Logger
  private readonly observer: SwarmObserver
  private readonly writing = new Set<number>()
  private readonly buffers: BufferPool
  private readonly timer: NodeJS.Timeout

  constructor (init: SwarmInit) {
    this.contentId = init.contentId
    this.manifest = init.manifest
    this.path = init.path
    this.layout = new PieceLayout(init.manifest)
    this.have = init.have
    this.store = init.store
    this.limits = init.limits
    this.localPeerId = init.localPeerId
    this.log = init.log
    this.observer = init.observer ?? {}
    this.picker = new PiecePicker(this.have)
    // enough idle buffers for a full request window to peers plus the pieces being written
    this.buffers = new BufferPool(this.layout.pieceSize, Math.ceil(2 * this.limits.maxInflightBytesPerPeer / this.layout.pieceSize))
    this.stateValue = this.have.complete ? 'seeding' : 'downloading'
    this.timer = setInterval(() => { this.tick() }, 1000)
    this.timer.unref()
  }

  get state (): SwarmState {
    return this.stateValue
  }

  get pieceCount (): number {
    return this.layout.pieceCount
  }

  get maxQueuedRequests (): number {
    return this.limits.maxQueuedRequestsPerPeer
  }

  pieceLength (index: number): number {
    return this.layout.pieceLength(index)
  }

  hasPiece (index: number): boolean {
    return this.have.has(index)
  }

  bitfield (): Uint8Array {
    return this.have.toBytes()
  }

  /** Read a verified piece (for serving, or for a local copy). */
  async readPiece (index: number): Promise<Uint8Array> {
    if (!this.have.has(index)) throw new ProtocolViolationError(`piece ${index} is not verified here`)
    return await this.store.readPiece(index)
  }

  attach (wire: PieceWire, remoteBitfield: Uint8Array, sentBitfield?: Uint8Array): PieceWireHandler | RejectReason {
    if (this.stateValue === 'stopped' || this.stateValue === 'error') return 'shutting-down'
    const remoteHas = Bitfield.fromBytes(remoteBitfield, this.pieceCount)
    const existing = this.peers.get(wire.remotePeer)
    if (existing !== undefined) {
      if (!this.prefer(wire, existing.wire)) return 'duplicate'
      existing.wire.close()
    } else if (this.peers.size >= this.limits.maxPeersPerSwarm) {
      return 'swarm-full'
    }
    const session = new PeerSession(this, wire, remoteHas)
    this.peers.set(session.peerId, session)
    this.picker.addPeer(remoteHas)
    this.log('peer %s joined with %d/%d pieces', session.peerId, remoteHas.count, this.pieceCount)
    // the protocol sends our handshake right after attach returns: requests must follow it
    queueMicrotask(() => {
      if (sentBitfield !== undefined) this.announceSince(session, sentBitfield)
      this.fill(session)
    })
    return session
  }

  /** Announce to `session` the pieces verified after our handshake (with `sent`) went out. */
  private announceSince (session: PeerSession, sent: Uint8Array): void {
    const then = new Bitfield(this.pieceCount, sent)
    for (let i = 0; i < this.pieceCount; i++) if (this.have.has(i) && !then.has(i)) session.wire.sendHave(i)
  }

  /** Stop trading: close every peer, stop the timer, release the store. */
  async stop (): Promise<void> {
    if (this.stateValue === 'stopped') return
    this.stateValue = 'stopped'
    clearInterval(this.timer)
    for (const session of this.peers.values()) session.wire.close()
    this.peers.clear()
    await this.store.close()
  }

  // SessionHost: called by peer sessions

  onPeerHave (session: PeerSession, index: number): void {
    this.picker.peerGained(index)
    if (!this.have.has(index)) this.fill(session)
  }

  onRequestEnded (session: PeerSession, index: number): void {
    this.picker.markReleased(index)
    this.fill(session)
  }

  onUploadWanted (session: PeerSession): void {
    if (!session.uploading) void this.upload(session)
  }

  onPeerClosed (session: PeerSession, err?: Error): void {
    if (this.peers.get(session.peerId) === session) this.peers.delete(session.peerId)
    this.picker.removePeer(session.remoteHas)
    for (const index of session.incoming.keys()) this.picker.markReleased(index)
    if (err !== undefined && err.name === 'ProtocolViolationError') {
      this.observer.onMisbehaviour?.(this, session.peerId, err.message, true)
    }
    this.log('peer %s left%s', session.peerId, err === undefined ? '' : ` (${err.message})`)
    this.fillAll()
  }

  takeBuffer (): Uint8Array {
    return this.buffers.take()
  }

  releaseBuffer (buffer: Uint8Array): void {
    this.buffers.give(buffer)
  }

  onPieceReceived (session: PeerSession, index: number, piece: Uint8Array, digest: Buffer): void {
    const length = piece.byteLength
    if (this.have.has(index) || this.writing.has(index)) {
      this.wasted += length
      this.releaseBuffer(piece)
      this.fill(session)
      return
    }
    // settled while it is verified and written: nobody is asked for it meanwhile
    this.writing.add(index)
    this.picker.markSettled(index)
    this.picker.markReleased(index)
    for (const other of this.peers.values()) {
      if (other !== session && other.incoming.has(index)) {
        other.abandon(index)
        this.picker.markReleased(index)
      }
    }
    void this.verifyAndStore(session, index, piece, digest).finally(() => { this.releaseBuffer(piece) })
    this.fill(session)
  }

  /** Check a received piece's hash against the manifest; write it only if it matches. */
  private async verifyAndStore (session: PeerSession, index: number, piece: Uint8Array, digest: Buffer): Promise<void> {
    if (!digest.equals(pieceHash(this.manifest, index))) {
      this.writing.delete(index)
      this.picker.unsettle(index)
      this.onBadPiece(session, index, piece.byteLength)
      return
    }
    try {
      await this.store.writePiece(index, [piece])
    } catch (err) {
      this.writing.delete(index)
      this.picker.unsettle(index)
      this.fail(err as Error)
      return
    }
    this.onPieceStored(index, piece.byteLength)
  }

  private onPieceStored (index: number, length: number): void {
    this.writing.delete(index)
    if (this.stateValue !== 'downloading') return
    this.picker.markHave(index)
    this.downloaded += length
    // seeds have every piece: a have would tell them nothing
    for (const peer of this.peers.values()) if (!peer.isSeed) peer.wire.sendHave(index)
    this.observer.onProgress?.(this)
    if (this.have.complete) this.finish()
  }

  private onBadPiece (session: PeerSession, index: number, length: number): void {
    this.wasted += length
    session.badPieces++
    const fatal = session.badPieces >= this.limits.maxBadPieces
    this.log.error('piece %d from %s failed verification (%d bad so far)', index, session.peerId, session.badPieces)
    this.observer.onMisbehaviour?.(this, session.peerId, `sent ${session.badPieces} piece(s) that failed verification`, fatal)
    if (fatal && !session.closed) session.wire.close(new ProtocolViolationError('too many bad pieces'))
    else this.fillAll()
  }

  private finish (): void {
    this.stateValue = 'seeding'
    // every piece is written and verified: the content is in place. Making it durable
    // (fdatasync of the whole content) need not hold up the caller.
    this.store.flush().catch((err: Error) => { this.log.error('flushing the content to disk failed - %e', err) })
    this.log('complete: %d pieces verified', this.pieceCount)
    // seeds have nothing to trade with each other
    for (const peer of this.peers.values()) if (peer.isSeed) peer.wire.close()
    this.observer.onComplete?.(this)
  }

  private fail (err: Error): void {
    if (this.stateValue === 'error' || this.stateValue === 'stopped') return
    this.log.error('swarm failed - %e', err)
    this.error = err
    this.stateValue = 'error'
    for (const session of this.peers.values()) session.wire.close()
    this.observer.onError?.(this, err)
  }

  /** Keep the peer's request pipeline full, within its byte window. */
  private fill (session: PeerSession): void {
    if (this.stateValue !== 'downloading' || session.closed) return
    const window = this.limits.maxInflightBytesPerPeer
    const free = window - session.inflightBytes
    // refill in batches (a quarter of the window at a time): fewer, fuller request messages
    if (session.inflightBytes > 0 && free < window / 4) return
    const count = Math.max(1, Math.floor(free / this.layout.pieceSize))
    for (const index of this.picker.pick(session.remoteHas, count, i => session.incoming.has(i))) {
      this.picker.markRequested(index)
      session.request(index)
    }
  }

  private fillAll (): void {
    for (const session of this.peers.values()) this.fill(session)
  }

  /** Once a second: give up on requests that waited too long, so others can take them. */
  private tick (): void {
    if (this.stateValue !== 'downloading') return
    const deadline = Date.now() - this.limits.requestTimeout
    for (const session of this.peers.values()) {
      for (const index of session.expiredRequests(deadline)) {
        session.abandon(index)
        this.picker.markReleased(index)
        this.observer.onMisbehaviour?.(this, session.peerId, `request for piece ${index} timed out`, false)
      }
    }
    this.fillAll()
  }

  /**
   * Serve a peer's queued requests in order. Reads run ahead of sending (up to
   * READ_AHEAD_BYTES): one read at a time left the sender idle on the thread pool's latency.
   */
  private async upload (session: PeerSession): Promise<void> {
    session.uploading = true
    const depth = Math.max(1, Math.floor(READ_AHEAD_BYTES / this.layout.pieceSize))
    const reads: Array<{ index: number, data: Promise<Uint8Array> }> = []
    const readAhead = (): void => {
      while (reads.length < depth && session.uploadQueue.length > 0) {
        const index = session.uploadQueue.shift() as number
        const data = this.store.readPiece(index)
        data.catch(() => {}) // reported when awaited below
        reads.push({ index, data })
      }
    }
    try {
      readAhead()
      while (reads.length > 0 && !session.closed) {
        const { index, data: reading } = reads.shift() as { index: number, data: Promise<Uint8Array> }
        const data = await reading
        readAhead()
        await session.wire.sendPiece(index, data)
        this.uploaded += data.byteLength
        readAhead()
      }
    } catch (err) {
      this.log.error('uploading to %s failed - %e', session.peerId, err)
      session.wire.close(err as Error)
    } finally {
      session.uploading = false
    }
  }

  /** Of two streams to one peer, both sides keep the one opened by the lower peer id. */
  private prefer (candidate: PieceWire, existing: PieceWire): boolean {
    const dialer = (w: PieceWire): string => w.outbound ? this.localPeerId : w.remotePeer
    return dialer(candidate) < dialer(existing)
  }
}
