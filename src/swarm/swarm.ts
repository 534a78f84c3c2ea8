import { PieceLayout } from '../core/layout.js'
import { pieceMapBytes } from '../core/piece-map.js'
import { hashInline } from '../core/piece-hash.js'
import { PiecePicker } from '../core/piece-picker.js'
import { PICKING, SCORING } from '../config/defaults.js'
import { ProtocolViolationError, StorageError } from '../errors.js'
import { BufferPool } from '../utils/buffer-pool.js'
import { TokenBucket } from '../utils/token-bucket.js'
import { observerEvents } from './observer-events.js'
import { PieceIntake } from './piece-intake.js'
import { SelectedFiles } from './selected-files.js'
import { SessionRoutes } from './session-routes.js'
import { StallWatch } from './stalls.js'
import { Uploader } from './upload.js'
import { Requester } from './requester.js'
import { SwarmPeers } from './swarm-peers.js'
import type { PeerSession } from './peer-session.js'
import type { IntakeWork } from './piece-intake.js'
import type { RoutedParts } from './session-routes.js'
import type { PeerWork } from './swarm-peers.js'
import type { Bitfield } from '../core/bitfield.js'
import type { RateLimits, SwarmInit, SwarmLimits, SwarmObserver, SwarmState } from './swarm-init.js'
import type { Manifest } from '../core/manifest.js'
import type { PieceHashing } from '../core/piece-hash.js'
import type { FileSelection } from '../core/selection.js'
import type { PieceWire, PieceWireHandler, RejectReason, SwarmEndpoint } from '../core/wire.js'
import type { PieceStore } from '../storage/piece-store.js'
import type { RateMeter } from '../utils/rate-meter.js'
import type { Logger } from '@libp2p/interface'

const UNLIMITED: RateLimits = { upload: new TokenBucket(0, 0), download: new TokenBucket(0, 0) }

export type { RateLimits, SwarmInit, SwarmLimits, SwarmObserver, SwarmState, SwarmTimeouts, SwarmTuning } from './swarm-init.js'

/**
 * One content id and the peers we trade it with. Composes the picker (what to ask for),
 * the peers (SwarmPeers: who trades, per-peer state in their sessions), the intake (verify
 * before write, write before announce), the uploader (serving and choking), the stall watch
 * and the store (verified pieces); owns the swarm's state and routes what sessions report.
 */
export class Swarm implements SwarmEndpoint {
  readonly contentId: string
  readonly manifest: Manifest
  readonly path: string
  readonly layout: PieceLayout
  readonly have: Bitfield
  /** When this run of the node opened the swarm, and when it completed the download (ms since the epoch). */
  readonly startedAt = Date.now()
  completedAt?: number
  error?: Error
  private stateValue: SwarmState
  private readonly members: SwarmPeers
  private readonly intake: PieceIntake
  private readonly store: PieceStore
  private readonly picker: PiecePicker
  private readonly requester: Requester
  private readonly uploader: Uploader
  private readonly stalls: StallWatch
  private readonly limits: SwarmLimits
  private readonly log: Logger
  private readonly observer: SwarmObserver
  /** The files wanted (`--only`), and the pieces written for them alone. */
  private readonly selected: SelectedFiles
  private readonly buffers: BufferPool
  /** Where this swarm's pieces are hashed: received ones, and those read back to be checked again. */
  readonly hashing: PieceHashing
  private readonly timer: NodeJS.Timeout
  private ticks = 0

  constructor (init: SwarmInit) {
    this.contentId = init.contentId
    this.manifest = init.manifest
    this.path = init.path
    this.layout = new PieceLayout(init.manifest)
    this.have = init.have
    this.store = init.store
    this.limits = init.limits
    this.log = init.log
    this.observer = init.observer ?? {}
    this.picker = new PiecePicker(this.have, { ...PICKING, sequential: init.sequential })
    this.selected = new SelectedFiles(this.layout, this.have, init.selection, init.partial)
    this.picker.setWanted(this.selected.wanted)
    for (let i = 0; i < this.pieceCount; i++) if (this.selected.partial.has(i)) this.picker.markSettled(i)
    const rates = init.rates ?? UNLIMITED
    const events = observerEvents(this, this.observer)
    const { work, parts } = this.links()
    const { picker, have, layout, log } = this
    // enough idle buffers for a full request window to peers plus the pieces being written
    this.hashing = init.hashing ?? hashInline
    this.buffers = new BufferPool(layout.pieceSize, Math.ceil(2 * this.limits.maxInflightBytesPerPeer / layout.pieceSize))
    const host = new SessionRoutes({
      layout,
      have,
      picker,
      buffers: this.buffers,
      limits: this.limits,
      refusalMs: init.tuning.refusalMs,
      parts,
      events,
      log
    })
    this.members = new SwarmPeers({ host, have, localPeerId: init.localPeerId, maxPeers: this.limits.maxPeersPerSwarm, budget: init.budget, picker, work, events, log })
    const sessions = this.members.all
    const downloading = (): boolean => this.stateValue === 'downloading'
    const { tuning } = init
    this.requester = new Requester({ picker, layout, peers: sessions, rate: rates.download, maxInflightBytesPerPeer: this.limits.maxInflightBytesPerPeer, tuning, downloading, backlogged: () => this.intake.backlogged })
    this.uploader = new Uploader({
      store: this.store, pieceSize: layout.pieceSize, have, peers: sessions, holders: index => picker.availabilityOf(index), rate: rates.upload, uploadSlots: this.limits.uploadSlots, tuning,
      initialSeed: init.initialSeed ?? false, trading: () => this.trading, downloading, log
    })
    this.stalls = new StallWatch({
      timeouts: init.timeouts,
      minPieceRate: SCORING.minPieceRate,
      release: work.release,
      onStall: (peerId, reason) => { events.misbehaved(peerId, reason, false) },
      onTimedOut: (peerId, index) => { events.pieceFailed(peerId, index, 'timeout') },
      log
    })
    this.intake = new PieceIntake({
      manifest: this.manifest, layout, have, picker, selected: this.selected, store: this.store, peers: sessions,
      buffers: this.buffers, hashing: this.hashing, maxUnwrittenBytes: tuning.maxUnwrittenBytes, maxBadPieces: this.limits.maxBadPieces, downloading, work, events, log
    })
    this.stateValue = this.have.complete ? 'seeding' : init.changedOnDisk !== undefined ? 'partial' : this.selected.done(this.have) ? 'seeding' : 'downloading'
    if (this.stateValue === 'partial') this.error = init.changedOnDisk
    this.timer = setInterval(() => { this.tick() }, 1000)
    this.timer.unref()
  }

  get state (): SwarmState { return this.stateValue }
  get pieceCount (): number { return this.layout.pieceCount }
  /** The peers trading in this swarm, by peer id. */
  get peers (): ReadonlyMap<string, PeerSession> { return this.members.all }
  /** Downloading, with nothing left to ask of our peers and pieces none of them has: worth a search however many we have. */
  get needsSource (): boolean { return this.state === 'downloading' && this.picker.needsSource() }
  /** A newcomer would be taken: a free place, or an idle peer to drop for it. */
  get hasRoomForPeer (): boolean { return this.members.hasRoom() }
  /** No place for a newcomer in the node's budget of peers over all swarms (see SessionBudget). */
  get atNodeBudget (): boolean { return this.members.atNodeBudget }
  /** Piece bytes verified and written, bytes thrown away (bad pieces, endgame duplicates), and received lately. */
  get downloaded (): number { return this.intake.downloaded }
  get wasted (): number { return this.intake.wasted }
  get downloadMeter (): RateMeter { return this.intake.meter }
  /** Piece bytes sent, in all and lately, for status. */
  get uploaded (): number { return this.uploader.uploaded }
  get uploadMeter (): RateMeter { return this.uploader.meter }

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
    return this.members.join(wire, remoteBitfield, sentBitfield)
  }

  /** Stop trading: close every peer, stop the timer, release the store. */
  async stop (as: 'stopped' | 'checking' = 'stopped'): Promise<void> {
    if (this.stateValue === 'stopped' || this.stateValue === 'checking') return
    this.stateValue = as
    clearInterval(this.timer)
    this.requester.stop()
    this.members.closeAll()
    await this.store.close()
  }

  private finish (): void {
    this.stateValue = 'seeding'
    this.completedAt = Date.now()
    // every piece is written and verified: the content is in place. Making it durable
    // (fdatasync of the whole content) need not hold up the caller.
    this.store.flush().catch((err: Error) => { this.log.error('flushing the content to disk failed - %e', err) })
    this.log('complete: %d of %d pieces verified', this.have.count, this.pieceCount)
    // seeds have nothing to trade with each other
    if (this.have.complete) for (const peer of this.peers.values()) if (peer.isSeed) peer.close()
    this.uploader.rechoke()
    this.observer.onComplete?.(this)
  }

  private fail (err: Error): void {
    if (this.stateValue === 'error' || this.stateValue === 'stopped' || this.stateValue === 'checking') return
    this.log.error('swarm failed - %e', err)
    this.error = err
    this.stateValue = 'error'
    for (const session of this.peers.values()) session.close()
    this.observer.onError?.(this, err)
  }

  /** What each part's news asks of the others: read at each call, as the parts are made after it. */
  private links (): { work: PeerWork & IntakeWork<PeerSession>, parts: RoutedParts } {
    const swarm = this
    const work: PeerWork & IntakeWork<PeerSession> = {
      release: (index) => { this.requester.release(index) },
      fill: (session) => { this.requester.fill(session) },
      fillAll: () => { this.requester.fillAll() },
      peerLeft: (session) => { this.uploader.peerLeft(session) },
      rechoke: () => { this.uploader.rechoke() },
      pieceAdded: () => { if (this.uploader.hasIdleSlot()) this.uploader.rechoke() },
      done: () => { this.finish() },
      failed: (err) => { this.fail(err) }
    }
    const parts: RoutedParts = {
      get requester () { return swarm.requester },
      get uploader () { return swarm.uploader },
      get members () { return swarm.members },
      get intake () { return swarm.intake }
    }
    return { work, parts }
  }

  /** Once a second: the uploader's choke rounds; while downloading, stalled requests go to other peers. */
  private tick (): void {
    if (!this.trading) return
    this.ticks++
    this.members.observe(Date.now())
    this.uploader.tick(this.ticks)
    if (this.stateValue !== 'downloading') return
    this.stalls.check(this.peers.values())
    this.requester.fillAll()
  }

  /** Peers are served (and, while downloading, asked). */
  private get trading (): boolean {
    return this.stateValue === 'downloading' || this.stateValue === 'seeding' || this.stateValue === 'partial'
  }
}
