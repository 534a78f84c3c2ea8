import { Bitfield } from '../core/bitfield.js'
import { choke } from '../core/choker.js'
import { CopyLedger } from '../core/copy-ledger.js'
import { PieceLayout } from '../core/layout.js'
import { pieceHash } from '../core/manifest.js'
import { PiecePicker } from '../core/piece-picker.js'
import { CHOKING, PICKING, SCORING } from '../config/defaults.js'
import { ProtocolViolationError, StorageError } from '../errors.js'
import { BufferPool } from '../utils/buffer-pool.js'
import { RateMeter } from '../utils/rate-meter.js'
import { TokenBucket } from '../utils/token-bucket.js'
import { PeerSession } from './peer-session.js'
import type { SessionHost } from './peer-session.js'
import type { Manifest } from '../core/manifest.js'
import type { PieceWire, PieceWireHandler, RejectReason, SwarmEndpoint } from '../core/wire.js'
import type { PieceStore } from '../storage/piece-store.js'
import type { Logger } from '@libp2p/interface'

/** Bytes of pieces read from disk ahead of sending, per peer being served. */
const READ_AHEAD_BYTES = 2 * 1024 * 1024
/**
 * Seconds of a peer's measured rate kept requested from it, on top of its round trip:
 * enough that its pipe never runs dry between our refills, short enough that rarest-first
 * and endgame still decide late, and that a slow peer holds few pieces.
 */
const REQUEST_QUEUE_SECONDS = 1.5
/** Request window of a peer whose rate is not known yet. */
const FIRST_WINDOW_BYTES = 1024 * 1024
/**
 * Under an upload limit, piece data goes out in runs of a sixteenth of the rate (at least
 * 16 KiB): a budget shared by many peers then reaches each a little every fraction of a
 * second, instead of a whole 256 KiB run after seconds of silence, which looks like a stall.
 */
const PACED_RUNS_PER_SECOND = 16
const MIN_PACED_RUN = 16 * 1024
/** Ticks (seconds) between choke rounds, and rounds between optimistic unchoke rotations. */
const CHOKE_ROUND_TICKS = 10
const OPTIMISTIC_ROUNDS = 3

/** Node-wide rate limits, shared by every swarm. */
export interface RateLimits {
  upload: TokenBucket
  download: TokenBucket
}

const UNLIMITED: RateLimits = { upload: new TokenBucket(0, 0), download: new TokenBucket(0, 0) }

/**
 * 'partial': a seed whose files changed on disk. It serves the pieces that still match and
 * fetches nothing (the files are the user's own, not ours to overwrite).
 * 'checking': stopped while its files are verified again; a new swarm takes its place.
 */
export type SwarmState = 'downloading' | 'seeding' | 'partial' | 'checking' | 'stopped' | 'error'

export interface SwarmLimits {
  maxInflightBytesPerPeer: number
  maxQueuedRequestsPerPeer: number
  maxPeersPerSwarm: number
  maxBadPieces: number
  /** Peers we upload to at once (one of them the optimistic unchoke). */
  uploadSlots: number
  /** ms before an unanswered request goes to another peer; a peer silent for a third of it is snubbed. */
  requestTimeout: number
}

/** What a swarm reports to its owner. Synchronous calls, owner-side only. */
export interface SwarmObserver {
  onProgress?(swarm: Swarm): void
  onComplete?(swarm: Swarm): void
  /** A peer sent bad data or broke the protocol; the owner decides on bans. */
  onMisbehaviour?(swarm: Swarm, peerId: string, reason: string, fatal: boolean): void
  onError?(swarm: Swarm, err: Error): void
  /** A peer finished the handshake and trades in this swarm. */
  onPeerJoined?(swarm: Swarm, peerId: string): void
  onPeerLeft?(swarm: Swarm, peerId: string): void
  /** A piece passed verification and is written: it can be read and served. */
  onPieceVerified?(swarm: Swarm, index: number): void
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
  /** Node-wide upload and download rate limits. @default unlimited */
  rates?: RateLimits
  /** Fetch in piece order rather than rarest first. @default false */
  sequential?: boolean
  /**
   * This node added the content (the swarm's first seed): it hands out each piece once
   * before any twice while other peers hold it (see admitUpload). @default false
   */
  initialSeed?: boolean
  /**
   * Set when the content was added from files that have since changed and no longer hold
   * every piece: the swarm serves what it has (state 'partial') and reports this as its error.
   */
  changedOnDisk?: Error
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
  /** When this run of the node opened the swarm, and when it completed the download (ms since the epoch). */
  readonly startedAt = Date.now()
  completedAt?: number
  /** Piece bytes sent and received lately, for status. */
  readonly uploadMeter = new RateMeter()
  readonly downloadMeter = new RateMeter()
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
  private readonly rates: RateLimits
  /** Copies of each piece we have agreed to send (initial seeding, upload order). */
  private readonly copies: CopyLedger
  /** The peer holding the optimistic unchoke. */
  private optimistic?: string
  private ticks = 0
  private readonly initialSeed: boolean
  private refillTimer?: NodeJS.Timeout

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
    this.picker = new PiecePicker(this.have, { ...PICKING, sequential: init.sequential })
    this.rates = init.rates ?? UNLIMITED
    this.initialSeed = init.initialSeed ?? false
    this.copies = new CopyLedger(this.layout.pieceCount)
    // enough idle buffers for a full request window to peers plus the pieces being written
    this.buffers = new BufferPool(this.layout.pieceSize, Math.ceil(2 * this.limits.maxInflightBytesPerPeer / this.layout.pieceSize))
    this.stateValue = this.have.complete ? 'seeding' : init.changedOnDisk !== undefined ? 'partial' : 'downloading'
    if (this.stateValue === 'partial') this.error = init.changedOnDisk
    this.timer = setInterval(() => { this.tick() }, 1000)
    this.timer.unref()
  }

  get state (): SwarmState {
    return this.stateValue
  }

  get pieceCount (): number {
    return this.layout.pieceCount
  }

  /** Fetch in piece order from now on (streaming); off returns to rarest first. */
  set sequential (on: boolean) {
    this.picker.sequential = on
  }

  get sequential (): boolean {
    return this.picker.sequential
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
    if (!this.trading) throw new StorageError(`the swarm of ${this.contentId} is ${this.stateValue}`)
    if (!this.have.has(index)) throw new ProtocolViolationError(`piece ${index} is not verified here`)
    return await this.store.readPiece(index)
  }

  attach (wire: PieceWire, remoteBitfield: Uint8Array, sentBitfield?: Uint8Array): PieceWireHandler | RejectReason {
    if (!this.trading) return 'shutting-down'
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
    this.observer.onPeerJoined?.(this, session.peerId)
    // the protocol sends our handshake right after attach returns: requests must follow it
    queueMicrotask(() => {
      if (sentBitfield !== undefined) this.announceSince(session, sentBitfield)
      this.rechoke()
    })
    return session
  }

  /** Announce to `session` the pieces verified after our handshake (with `sent`) went out. */
  private announceSince (session: PeerSession, sent: Uint8Array): void {
    const then = new Bitfield(this.pieceCount, sent)
    for (let i = 0; i < this.pieceCount; i++) if (this.have.has(i) && !then.has(i)) session.wire.sendHave(i)
  }

  /** Stop trading: close every peer, stop the timer, release the store. */
  async stop (as: 'stopped' | 'checking' = 'stopped'): Promise<void> {
    if (this.stateValue === 'stopped' || this.stateValue === 'checking') return
    this.stateValue = as
    clearInterval(this.timer)
    clearTimeout(this.refillTimer)
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
    this.releaseRequest(index)
    this.fill(session)
  }

  onUnchoked (session: PeerSession): void {
    this.fill(session)
  }

  /**
   * Initial seeding: while we seed, a piece goes out again only once every piece has gone
   * out as often, unless no other peer has it or is getting it. Leechers then fetch from us
   * what nobody has and trade the rest, so the swarm gets about one copy from the seed.
   */
  admitUpload (session: PeerSession, index: number, insisted: boolean): boolean {
    if (!insisted && this.initialSeed && this.have.complete && this.copies.aheadOfOthers(index) && this.heldElsewhere(session, index)) return false
    this.copies.record(index, session.peerId)
    return true
  }

  private heldElsewhere (requester: PeerSession, index: number): boolean {
    const last = this.copies.lastRecipient(index)
    if (last !== undefined && last !== requester.peerId && this.peers.has(last)) return true
    for (const peer of this.peers.values()) if (peer !== requester && peer.remoteHas.has(index)) return true
    return false
  }

  onUploadWanted (session: PeerSession): void {
    if (!session.uploading) void this.upload(session)
  }

  onPeerClosed (session: PeerSession, err?: Error): void {
    if (this.peers.get(session.peerId) === session) {
      this.peers.delete(session.peerId)
      this.observer.onPeerLeft?.(this, session.peerId)
    }
    this.picker.removePeer(session.remoteHas)
    for (const index of session.incoming.keys()) this.releaseRequest(index)
    if (err !== undefined && err.name === 'ProtocolViolationError') {
      this.observer.onMisbehaviour?.(this, session.peerId, err.message, true)
    }
    this.log('peer %s left%s', session.peerId, err === undefined ? '' : ` (${err.message})`)
    if (this.optimistic === session.peerId) this.optimistic = undefined
    if (!session.choking) this.rechoke()
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
    this.downloadMeter.add(length)
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
        this.releaseRequest(index)
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
    this.observer.onPieceVerified?.(this, index)
    this.observer.onProgress?.(this)
    if (this.have.complete) this.finish()
    else if (this.hasIdleSlot()) this.rechoke()
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
    this.completedAt = Date.now()
    // every piece is written and verified: the content is in place. Making it durable
    // (fdatasync of the whole content) need not hold up the caller.
    this.store.flush().catch((err: Error) => { this.log.error('flushing the content to disk failed - %e', err) })
    this.log('complete: %d pieces verified', this.pieceCount)
    // seeds have nothing to trade with each other
    for (const peer of this.peers.values()) if (peer.isSeed) peer.wire.close()
    this.rechoke()
    this.observer.onComplete?.(this)
  }

  private fail (err: Error): void {
    if (this.stateValue === 'error' || this.stateValue === 'stopped' || this.stateValue === 'checking') return
    this.log.error('swarm failed - %e', err)
    this.error = err
    this.stateValue = 'error'
    for (const session of this.peers.values()) session.wire.close()
    this.observer.onError?.(this, err)
  }

  /** Keep the peer's request pipeline full, within its byte window and the download rate. */
  private fill (session: PeerSession): void {
    if (this.stateValue !== 'downloading' || session.closed || session.chokedBy) return
    const window = this.requestWindow(session)
    const free = window - session.inflightBytes
    // refill in batches (a quarter of the window at a time): fewer, fuller request messages
    if (session.inflightBytes > 0 && free < window / 4) return
    const count = Math.max(1, Math.floor(free / this.layout.pieceSize))
    const limit = this.rates.download
    const now = Date.now()
    const skip = (i: number): boolean => session.incoming.has(i) || session.refusedLately(i, now)
    for (const index of this.picker.pick(session.remoteHas, count, skip)) {
      if (!limit.unlimited) {
        // requests are the download throttle: bytes arrive at the rate they are asked for
        const wait = limit.waitTime()
        if (wait > 0) {
          this.fillLater(wait)
          return
        }
        limit.reserve(this.layout.pieceLength(index))
      }
      this.picker.markRequested(index)
      session.request(index)
    }
  }

  /**
   * Bytes to keep requested from a peer: its recent rate times its round trip plus
   * REQUEST_QUEUE_SECONDS, within [one piece, maxInflightBytesPerPeer]; one piece while
   * it is snubbed.
   */
  private requestWindow (session: PeerSession): number {
    const { pieceSize } = this.layout
    if (session.snubbed) return pieceSize
    const rate = session.downloadMeter.rate()
    const roundTrip = Number.isFinite(session.roundTripMs) ? session.roundTripMs / 1000 : 0
    const wanted = rate === 0 ? FIRST_WINDOW_BYTES : rate * (roundTrip + REQUEST_QUEUE_SECONDS)
    return Math.max(pieceSize, Math.min(this.limits.maxInflightBytesPerPeer, wanted))
  }

  /** A request ended without its piece: the picker may give it out again, and the download budget gets its bytes back. */
  private releaseRequest (index: number): void {
    this.picker.markReleased(index)
    this.rates.download.refund(this.layout.pieceLength(index))
  }

  private fillLater (ms: number): void {
    if (this.refillTimer !== undefined) return
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined
      this.fillAll()
    }, Math.ceil(ms))
    this.refillTimer.unref()
  }

  private fillAll (): void {
    for (const session of this.peers.values()) this.fill(session)
  }

  /**
   * Once a second: a choke round every CHOKE_ROUND_TICKS; give up on requests that waited
   * too long, and snub peers that stopped answering, so others take their pieces.
   */
  private tick (): void {
    if (!this.trading) return
    this.ticks++
    if (this.ticks % CHOKE_ROUND_TICKS === 0) this.rechoke(this.ticks % (CHOKE_ROUND_TICKS * OPTIMISTIC_ROUNDS) === 0)
    if (this.stateValue !== 'downloading') return
    const now = Date.now()
    const deadline = now - this.limits.requestTimeout
    for (const session of [...this.peers.values()]) {
      const holding = session.isHolding(now, this.limits.requestTimeout, SCORING.minPieceRate)
      for (const index of new Set([...session.expiredRequests(deadline), ...session.tricklingRequests(deadline, now, SCORING.minPieceRate)])) {
        session.abandon(index)
        this.releaseRequest(index)
        this.log('request for piece %d from %s stalled', index, session.peerId)
      }
      if (holding) this.onStall(session)
      if (session.closed) continue
      if (!session.snubbed && session.isStalled(now, this.limits.requestTimeout / 3)) {
        // its requests go to others; a snub alone is no offence (a slow, busy peer can be silent that long)
        session.snubbed = true
        for (const index of session.abandonAll()) this.releaseRequest(index)
        this.log('peer %s snubbed: no data for %d ms', session.peerId, now - session.lastDataAt)
      }
    }
    this.fillAll()
  }

  /** A peer held our requests without sending their data: scored, and banned once it has done so too often. */
  private onStall (session: PeerSession): void {
    const verdict = session.score.record('stall')
    if (verdict === undefined) {
      this.observer.onMisbehaviour?.(this, session.peerId, `stalled ${session.score.count('stall')} time(s)`, false)
    } else if (!session.closed) {
      // reported (and banned) by onPeerClosed, as every violation
      session.wire.close(new ProtocolViolationError(verdict))
    }
  }

  /** Hand out upload slots again (see core/choker). */
  private rechoke (rotateOptimistic = false): void {
    if (!this.trading) return
    const sessions = [...this.peers.values()].filter(s => !s.closed)
    const decision = choke({
      peers: sessions.map(s => ({
        id: s.peerId,
        interested: this.interests(s),
        downloadRate: s.downloadMeter.rate(),
        uploaded: s.uploadMeter.bytes,
        unchoked: !s.choking,
        joinedAt: s.connectedAt
      })),
      seeding: this.stateValue !== 'downloading',
      slots: this.limits.uploadSlots,
      optimistic: this.optimistic,
      rotateOptimistic,
      now: Date.now(),
      random: Math.random,
      newcomers: CHOKING
    })
    this.optimistic = decision.optimistic
    for (const s of sessions) s.setChoking(!decision.unchoked.has(s.peerId))
  }

  /** Peers are served (and, while downloading, asked). */
  private get trading (): boolean {
    return this.stateValue === 'downloading' || this.stateValue === 'seeding' || this.stateValue === 'partial'
  }

  /** The peer lacks a piece we have. */
  private interests (session: PeerSession): boolean {
    return !session.isSeed && this.have.hasAnyMissingFrom(session.remoteHas)
  }

  /** A slot is free and someone choked could use it (they became interested). */
  private hasIdleSlot (): boolean {
    let unchoked = 0
    let waiting = false
    for (const s of this.peers.values()) {
      if (!s.choking) unchoked++
      else if (!waiting && this.interests(s)) waiting = true
    }
    return waiting && unchoked < this.limits.uploadSlots
  }

  /**
   * Serve a peer's queued requests in order. Reads run ahead of sending (up to
   * READ_AHEAD_BYTES): one read at a time left the sender idle on the thread pool's latency.
   */
  private async upload (session: PeerSession): Promise<void> {
    session.uploading = true
    const depth = Math.max(1, Math.floor(READ_AHEAD_BYTES / this.layout.pieceSize))
    const reads: Array<{ index: number, data: Promise<Uint8Array> }> = []
    const limit = this.rates.upload
    const pacing = limit.unlimited
      ? undefined
      : { take: async (bytes: number) => { await limit.take(bytes, session.signal) }, runBytes: Math.max(MIN_PACED_RUN, Math.floor(limit.rate / PACED_RUNS_PER_SECOND)) }
    const readAhead = (): void => {
      while (reads.length < depth && session.uploadQueue.length > 0) {
        const index = this.nextUpload(session.uploadQueue)
        session.startUpload(index)
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
        // cancelled while it was read: the peer no longer waits for it, and its next request
        // must not wait behind it (a copy already begun goes out whole: see sendPiece)
        const cancelled = session.isCancelled(index)
        const open = cancelled || await session.wire.sendPiece(index, data, pacing)
        session.finishUpload(index)
        if (!open) break
        if (!cancelled) {
          this.uploaded += data.byteLength
          this.uploadMeter.add(data.byteLength)
          session.uploadMeter.add(data.byteLength)
        }
        readAhead()
      }
    } catch (err) {
      if (session.closed) return
      this.log.error('uploading to %s failed - %e', session.peerId, err)
      session.wire.close(err as Error)
    } finally {
      session.uploading = false
    }
  }

  /**
   * Take from a peer's queue the piece we have sent the fewest copies of: a seeder facing
   * several empty leechers hands each different pieces, which they then trade.
   */
  private nextUpload (queue: number[]): number {
    return queue.splice(this.copies.leastGiven(queue), 1)[0]
  }

  /** Of two streams to one peer, both sides keep the one opened by the lower peer id. */
  private prefer (candidate: PieceWire, existing: PieceWire): boolean {
    const dialer = (w: PieceWire): string => w.outbound ? this.localPeerId : w.remotePeer
    return dialer(candidate) < dialer(existing)
  }
}
