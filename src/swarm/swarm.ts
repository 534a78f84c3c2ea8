import { Bitfield } from '../core/bitfield.js'
import { PieceLayout } from '../core/layout.js'
import { verifyPiece } from '../core/piece-hash.js'
import { pieceMapBytes } from '../core/piece-map.js'
import { PiecePicker } from '../core/piece-picker.js'
import { isBoundaryPiece } from '../core/selection.js'
import { IDENTITIES, PICKING, SCORING } from '../config/defaults.js'
import { ProtocolViolationError, StorageError } from '../errors.js'
import { BufferPool } from '../utils/buffer-pool.js'
import { RateMeter } from '../utils/rate-meter.js'
import { TokenBucket } from '../utils/token-bucket.js'
import { IdlePeers } from './idle-peers.js'
import { PeerSession } from './peer-session.js'
import { SelectedFiles } from './selected-files.js'
import { StallWatch } from './stalls.js'
import { Uploader } from './upload.js'
import { Requester } from './requester.js'
import type { SessionHost } from './peer-session.js'
import type { RateLimits, SwarmInit, SwarmLimits, SwarmObserver, SwarmState } from './swarm-init.js'
import type { Manifest } from '../core/manifest.js'
import type { FileSelection } from '../core/selection.js'
import type { PieceHasher } from '../core/piece-hash.js'
import type { PieceWire, PieceWireHandler, RejectReason, SwarmEndpoint } from '../core/wire.js'
import type { PieceStore } from '../storage/piece-store.js'
import type { Logger } from '@libp2p/interface'

const UNLIMITED: RateLimits = { upload: new TokenBucket(0, 0), download: new TokenBucket(0, 0) }

export type { RateLimits, SwarmInit, SwarmLimits, SwarmObserver, SwarmState, SwarmTimeouts, SwarmTuning } from './swarm-init.js'

/**
 * One content id and the peers we trade it with. Composes the picker (what to ask for),
 * the peer sessions (per-peer state), the uploader (serving and choking), the stall watch
 * and the store (verified pieces); owns the rules that join them: verify before write,
 * write before announce, re-request on any failure.
 */
export class Swarm implements SwarmEndpoint, SessionHost {
  readonly contentId: string
  readonly manifest: Manifest
  readonly path: string
  readonly layout: PieceLayout
  readonly have: Bitfield
  downloaded = 0
  /** Bytes received that were thrown away: bad pieces and endgame duplicates. */
  wasted = 0
  /** When this run of the node opened the swarm, and when it completed the download (ms since the epoch). */
  readonly startedAt = Date.now()
  completedAt?: number
  /** Piece bytes received lately, for status. */
  readonly downloadMeter = new RateMeter()
  error?: Error
  readonly refusalMs: number
  private stateValue: SwarmState
  private readonly sessions = new Map<string, PeerSession>()
  private readonly store: PieceStore
  private readonly picker: PiecePicker
  private readonly requester: Requester
  private readonly uploader: Uploader
  private readonly stalls: StallWatch
  private readonly limits: SwarmLimits
  private readonly localPeerId: string
  private readonly log: Logger
  private readonly observer: SwarmObserver
  /** The files wanted (`--only`), and the pieces written for them alone. */
  private readonly selected: SelectedFiles
  private readonly writing = new Set<number>()
  private readonly buffers: BufferPool
  private readonly timer: NodeJS.Timeout
  private readonly rates: RateLimits
  /** Who a full swarm drops for a newcomer. */
  private readonly idlePeers = new IdlePeers(IDENTITIES.minIdleToDrop)
  private ticks = 0

  constructor (init: SwarmInit) {
    this.contentId = init.contentId
    this.manifest = init.manifest
    this.path = init.path
    this.layout = new PieceLayout(init.manifest)
    this.have = init.have
    this.store = init.store
    this.limits = init.limits
    this.refusalMs = init.tuning.refusalMs
    this.localPeerId = init.localPeerId
    this.log = init.log
    this.observer = init.observer ?? {}
    this.picker = new PiecePicker(this.have, { ...PICKING, sequential: init.sequential })
    this.selected = new SelectedFiles(this.layout, this.have, init.selection, init.partial)
    this.picker.setWanted(this.selected.wanted)
    for (let i = 0; i < this.pieceCount; i++) if (this.selected.partial.has(i)) this.picker.markSettled(i)
    this.rates = init.rates ?? UNLIMITED
    this.requester = new Requester({
      picker: this.picker,
      layout: this.layout,
      peers: this.sessions,
      rate: this.rates.download,
      maxInflightBytesPerPeer: this.limits.maxInflightBytesPerPeer,
      tuning: init.tuning,
      downloading: () => this.stateValue === 'downloading'
    })
    this.uploader = new Uploader({
      store: this.store,
      pieceSize: this.layout.pieceSize,
      have: this.have,
      peers: this.sessions,
      rate: this.rates.upload,
      uploadSlots: this.limits.uploadSlots,
      tuning: init.tuning,
      initialSeed: init.initialSeed ?? false,
      trading: () => this.trading,
      downloading: () => this.stateValue === 'downloading',
      log: this.log
    })
    this.stalls = new StallWatch({
      timeouts: init.timeouts,
      minPieceRate: SCORING.minPieceRate,
      release: (index) => { this.requester.release(index) },
      onStall: (peerId, reason) => { this.observer.onMisbehaviour?.(this, peerId, reason, false) },
      onTimedOut: (peerId, index) => { this.observer.onPieceFailed?.(this, peerId, index, 'timeout') },
      log: this.log
    })
    // enough idle buffers for a full request window to peers plus the pieces being written
    this.buffers = new BufferPool(this.layout.pieceSize, Math.ceil(2 * this.limits.maxInflightBytesPerPeer / this.layout.pieceSize))
    this.stateValue = this.have.complete ? 'seeding' : init.changedOnDisk !== undefined ? 'partial' : this.selected.done(this.have) ? 'seeding' : 'downloading'
    if (this.stateValue === 'partial') this.error = init.changedOnDisk
    this.timer = setInterval(() => { this.tick() }, 1000)
    this.timer.unref()
  }

  get state (): SwarmState { return this.stateValue }
  get pieceCount (): number { return this.layout.pieceCount }
  /** The peers trading in this swarm, by peer id. */
  get peers (): ReadonlyMap<string, PeerSession> { return this.sessions }
  /** Piece bytes sent, in all and lately, for status. */
  get uploaded (): number { return this.uploader.uploaded }
  get uploadMeter (): RateMeter { return this.uploader.meter }
  get maxQueuedRequests (): number { return this.limits.maxQueuedRequestsPerPeer }

  /** Fetch in piece order from now on (streaming); off returns to rarest first. */
  set sequential (on: boolean) { this.picker.sequential = on }
  get sequential (): boolean { return this.picker.sequential }

  /**
   * Pieces streamed readers wait for, and how soon (see StreamPriorities): asked for before
   * any other piece from now on; the last call's set is replaced.
   */
  prioritize (levels: ReadonlyMap<number, number>): void {
    this.picker.setPriorities(levels)
    if (this.stateValue === 'downloading' && levels.size > 0) this.requester.fillAll()
  }

  /** The selected files (undefined: all of them). */
  get selection (): FileSelection | undefined { return this.selected.selection }

  /** Every piece is here: not only the selected files. */
  get whole (): boolean { return this.have.complete }

  /** Bytes of the selected files (every file, with no selection) and how many of them are here. */
  get selectedBytes (): { size: number, have: number } { return this.selected.bytes }

  /** Pieces verified of which only the selected files' bytes are on disk (never served). */
  get partialPieces (): Bitfield { return this.selected.partial }

  /** Whether `file`'s bytes of `piece` are verified and on disk. */
  holds (piece: number, file: number): boolean {
    return this.selected.holds(this.have, piece, file)
  }

  /**
   * Fetch only `files` from now on (undefined: every file); what is already written stays.
   * Returns true when a swarm that had its selection goes back to downloading.
   */
  select (files: FileSelection | undefined): boolean {
    for (const piece of this.selected.change(files)) this.picker.unsettle(piece)
    this.picker.setWanted(this.selected.wanted)
    const done = this.selected.done(this.have)
    if (this.stateValue === 'seeding' && !done) {
      this.stateValue = 'downloading'
      this.completedAt = undefined
      this.requester.fillAll()
      return true
    }
    if (this.stateValue === 'downloading' && done) this.finish()
    else this.requester.fillAll()
    return false
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

  /** Every piece's state (have / in flight / missing) and availability, one byte each (core/piece-map). */
  pieceMap (): Uint8Array {
    const { have, picker } = this
    return pieceMapBytes({ pieceCount: this.pieceCount, has: i => have.has(i), requestsFor: i => picker.requestsFor(i), availabilityOf: i => picker.availabilityOf(i) })
  }

  /** Read a verified piece (for serving, or for a local copy). */
  async readPiece (index: number): Promise<Uint8Array> {
    if (!this.trading) throw new StorageError(`the swarm of ${this.contentId} is ${this.stateValue}`)
    if (!this.have.has(index)) throw new ProtocolViolationError(`piece ${index} is not verified here`)
    return await this.store.readPiece(index)
  }

  attach (wire: PieceWire, remoteBitfield: Uint8Array, sentBitfield?: Uint8Array): PieceWireHandler | RejectReason {
    if (!this.trading) return 'shutting-down'
    const remoteHas = Bitfield.fromBytes(remoteBitfield, this.pieceCount)
    const existing = this.sessions.get(wire.remotePeer)
    if (existing !== undefined) {
      if (!this.prefer(wire, existing)) return 'duplicate'
      existing.close()
    } else if (this.sessions.size >= this.limits.maxPeersPerSwarm && !this.makeRoom()) {
      return 'swarm-full'
    }
    const session = new PeerSession(this, wire, remoteHas)
    this.sessions.set(session.peerId, session)
    this.picker.addPeer(remoteHas)
    this.log('peer %s joined with %d/%d pieces', session.peerId, remoteHas.count, this.pieceCount)
    this.observer.onPeerJoined?.(this, session.peerId)
    // the protocol sends our handshake right after attach returns: requests must follow it
    queueMicrotask(() => {
      if (sentBitfield !== undefined) this.announceSince(session, sentBitfield)
      this.uploader.rechoke()
    })
    return session
  }

  /** Drop the peer of no use for longest, if one has been for long enough; false if none. */
  private makeRoom (): boolean {
    const idle = this.idlePeers.longestIdle(this.sessions.values(), Date.now())
    if (idle === undefined) return false
    this.log('swarm full: dropping %s, the peer of no use for longest', idle.peerId)
    idle.close()
    return true
  }

  /** Announce to `session` the pieces verified after our handshake (with `sent`) went out. */
  private announceSince (session: PeerSession, sent: Uint8Array): void {
    const then = new Bitfield(this.pieceCount, sent)
    for (let i = 0; i < this.pieceCount; i++) if (this.have.has(i) && !then.has(i)) session.announce(i)
  }

  /** Stop trading: close every peer, stop the timer, release the store. */
  async stop (as: 'stopped' | 'checking' = 'stopped'): Promise<void> {
    if (this.stateValue === 'stopped' || this.stateValue === 'checking') return
    this.stateValue = as
    clearInterval(this.timer)
    this.requester.stop()
    for (const session of this.sessions.values()) session.close()
    this.sessions.clear()
    await this.store.close()
  }

  // SessionHost: called by peer sessions

  onPeerHave (session: PeerSession, index: number): void {
    this.picker.peerGained(index)
    if (!this.have.has(index)) this.requester.fill(session)
    else this.uploader.peerGained(session)
  }

  onRequestEnded (session: PeerSession, index: number): void {
    this.observer.onPieceFailed?.(this, session.peerId, index, 'rejected')
    this.requester.release(index)
    this.requester.fill(session)
  }

  onUnchoked (session: PeerSession): void {
    this.requester.fill(session)
  }

  admitUpload (session: PeerSession, index: number, insisted: boolean): boolean {
    return this.uploader.admit(session, index, insisted)
  }

  onUploadWanted (session: PeerSession): void {
    this.uploader.serve(session)
  }

  onStoppedReading (session: PeerSession): void {
    this.log('peer %s does not read what we send it: choked', session.peerId)
    this.observer.onMisbehaviour?.(this, session.peerId, `stalled reading ${session.score.count('read-stall')} time(s)`, false)
    this.uploader.rechoke()
  }

  onPeerClosed (session: PeerSession, err?: Error): void {
    if (this.sessions.get(session.peerId) === session) {
      this.sessions.delete(session.peerId)
      this.observer.onPeerLeft?.(this, session.peerId)
    }
    this.picker.removePeer(session.remoteHas)
    for (const index of session.requestedPieces()) this.requester.release(index)
    if (err !== undefined && err.name === 'ProtocolViolationError') {
      this.observer.onMisbehaviour?.(this, session.peerId, err.message, true)
    }
    this.log('peer %s left%s', session.peerId, err === undefined ? '' : ` (${err.message})`)
    this.uploader.peerLeft(session)
    this.requester.fillAll()
  }

  takeBuffer (): Uint8Array {
    return this.buffers.take()
  }

  releaseBuffer (buffer: Uint8Array): void {
    this.buffers.give(buffer)
  }

  onPieceReceived (session: PeerSession, index: number, piece: Uint8Array, hasher: PieceHasher, requestedAt: number): void {
    const length = piece.byteLength
    this.downloadMeter.add(length)
    this.observer.onPieceReceived?.(this, session.peerId, index, Date.now() - requestedAt)
    if (this.have.has(index) || this.writing.has(index)) {
      this.wasted += length
      this.releaseBuffer(piece)
      this.requester.fill(session)
      return
    }
    // settled while it is verified and written: nobody is asked for it meanwhile
    this.writing.add(index)
    this.picker.markSettled(index)
    this.picker.markReleased(index)
    // endgame: the other copies on their way are cancelled
    for (const other of this.sessions.values()) {
      if (other !== session && other.isRequested(index)) {
        other.abandon(index)
        this.requester.release(index)
      }
    }
    void this.verifyAndStore(session, index, piece, hasher).finally(() => { this.releaseBuffer(piece) })
    this.requester.fill(session)
  }

  /** Check a received piece's hash against the manifest; write it only if it matches. */
  private async verifyAndStore (session: PeerSession, index: number, piece: Uint8Array, hasher: PieceHasher): Promise<void> {
    if (!verifyPiece(this.manifest, index, hasher)) {
      this.writing.delete(index)
      this.picker.unsettle(index)
      this.onBadPiece(session, index, piece.byteLength)
      return
    }
    // the selection as the write began: a file selected meanwhile was not written
    const files = this.selected.selection
    try {
      await this.store.writePiece(index, [piece], files)
    } catch (err) {
      this.writing.delete(index)
      this.picker.unsettle(index)
      this.observer.onPieceFailed?.(this, session.peerId, index, 'write')
      this.fail(err as Error)
      return
    }
    this.onPieceStored(index, piece.byteLength, files)
  }

  private onPieceStored (index: number, length: number, files?: FileSelection): void {
    this.writing.delete(index)
    if (this.stateValue !== 'downloading') return
    if (files !== undefined && isBoundaryPiece(this.layout, files, index)) {
      this.onPartStored(index, length, files)
      return
    }
    this.selected.pieceHad(index)
    this.picker.markHave(index)
    this.downloaded += length
    // seeds have every piece: a have would tell them nothing
    for (const peer of this.sessions.values()) if (!peer.isSeed) peer.announce(index)
    this.observer.onPieceVerified?.(this, index)
    this.observer.onProgress?.(this)
    if (this.selected.done(this.have)) this.finish()
    else if (this.uploader.hasIdleSlot()) this.uploader.rechoke()
  }

  /** A piece shared with a file not selected: written for the selected files only, never announced. */
  private onPartStored (index: number, length: number, files: FileSelection): void {
    this.downloaded += length
    if (!this.selected.storedPart(index, files)) this.picker.unsettle(index)
    this.observer.onProgress?.(this)
    if (this.selected.done(this.have)) this.finish()
  }

  private onBadPiece (session: PeerSession, index: number, length: number): void {
    this.wasted += length
    const bad = session.recordBadPiece()
    this.observer.onPieceFailed?.(this, session.peerId, index, 'hash')
    const fatal = bad >= this.limits.maxBadPieces
    this.log.error('piece %d from %s failed verification (%d bad so far)', index, session.peerId, bad)
    this.observer.onMisbehaviour?.(this, session.peerId, `sent ${bad} piece(s) that failed verification`, fatal)
    if (fatal && !session.closed) session.close(new ProtocolViolationError('too many bad pieces'))
    else this.requester.fillAll()
  }

  private finish (): void {
    this.stateValue = 'seeding'
    this.completedAt = Date.now()
    // every piece is written and verified: the content is in place. Making it durable
    // (fdatasync of the whole content) need not hold up the caller.
    this.store.flush().catch((err: Error) => { this.log.error('flushing the content to disk failed - %e', err) })
    this.log('complete: %d of %d pieces verified', this.have.count, this.pieceCount)
    // seeds have nothing to trade with each other
    if (this.have.complete) for (const peer of this.sessions.values()) if (peer.isSeed) peer.close()
    this.uploader.rechoke()
    this.observer.onComplete?.(this)
  }

  private fail (err: Error): void {
    if (this.stateValue === 'error' || this.stateValue === 'stopped' || this.stateValue === 'checking') return
    this.log.error('swarm failed - %e', err)
    this.error = err
    this.stateValue = 'error'
    for (const session of this.sessions.values()) session.close()
    this.observer.onError?.(this, err)
  }

  /** Once a second: the uploader's choke rounds; while downloading, stalled requests go to other peers. */
  private tick (): void {
    if (!this.trading) return
    this.ticks++
    this.idlePeers.observe(this.sessions.values(), Date.now())
    this.uploader.tick(this.ticks)
    if (this.stateValue !== 'downloading') return
    this.stalls.check(this.sessions.values())
    this.requester.fillAll()
  }

  /** Peers are served (and, while downloading, asked). */
  private get trading (): boolean {
    return this.stateValue === 'downloading' || this.stateValue === 'seeding' || this.stateValue === 'partial'
  }

  /** Of two streams to one peer, both sides keep the one opened by the lower peer id. */
  private prefer (candidate: PieceWire, existing: PeerSession): boolean {
    const dialer = (outbound: boolean): string => outbound ? this.localPeerId : candidate.remotePeer
    return dialer(candidate.outbound) < dialer(existing.outbound)
  }
}
