import { choke } from '../core/choker.js'
import { CopyLedger } from '../core/copy-ledger.js'
import { SendOrder } from '../core/send-order.js'
import { CHOKING } from '../config/defaults.js'
import { RateMeter } from '../utils/rate-meter.js'
import { SendTurns } from './send-turns.js'
import type { PeerSession } from './peer-session.js'
import type { SwarmTuning } from './swarm.js'
import type { Bitfield } from '../core/bitfield.js'
import type { Pacing } from '../core/wire.js'
import type { PieceStore } from '../storage/piece-store.js'
import type { TokenBucket } from '../utils/token-bucket.js'
import type { Logger } from '@libp2p/interface'

export interface UploaderInit {
  /** Read-only here: pieces are read for sending. */
  store: Pick<PieceStore, 'readPiece'>
  pieceSize: number
  /** Our verified pieces (the swarm's; read only). */
  have: Bitfield
  /** The swarm's peers (read only). */
  peers: ReadonlyMap<string, PeerSession>
  /** How many of our peers have piece `index` (the picker's count): the rarest copy goes out first. */
  holders: (index: number) => number
  /** The node-wide upload budget. */
  rate: TokenBucket
  /** Peers we upload to at once (one of them the optimistic unchoke). */
  uploadSlots: number
  tuning: Pick<SwarmTuning, 'readAheadBytes' | 'pacedRunsPerSecond' | 'minPacedRun' | 'chokeRoundTicks' | 'optimisticRounds' | 'idleSlotMs' | 'sendTurns' | 'sendTurnMaxHoldMs'>
  /** We added the content: each piece goes out once before any twice (see admit). */
  initialSeed: boolean
  /** Whether the swarm trades at all, and whether it still downloads (the choker's mode). */
  trading: () => boolean
  downloading: () => boolean
  log: Logger
}

/**
 * The serving side of one swarm: who gets upload slots (the choker's glue and its rounds),
 * which requested copies we agree to send (initial seeding), and sending them: read ahead,
 * paced under the upload limit, counted.
 */
export class Uploader {
  /** Piece bytes sent, in all and lately. */
  uploaded = 0
  readonly meter = new RateMeter()
  private readonly init: UploaderInit
  /** Copies of each piece we have agreed to send (initial seeding, upload order). */
  private readonly copies: CopyLedger
  /** Which requested copy goes out first: the rarest. */
  private readonly order: SendOrder
  /** Peers whose queue is being served now: one loop per peer. */
  private readonly serving = new Set<PeerSession>()
  /** The peer holding the optimistic unchoke. */
  private optimistic?: string
  /** Which peer's copy goes out now (one or a few at a time, in turn). */
  private readonly turns: SendTurns

  constructor (init: UploaderInit) {
    this.init = init
    this.copies = new CopyLedger(init.have.length)
    this.order = new SendOrder(init.holders, index => this.copies.copiesOf(index))
    this.turns = new SendTurns(init.tuning.sendTurns, init.tuning.sendTurnMaxHoldMs)
  }

  /**
   * Initial seeding: while we seed, a piece goes out again only where no other peer has it or
   * is getting it, or when the same peer asks again. Leechers then fetch from us what nobody
   * has and trade the rest, so the swarm gets about one copy from the seed. (Until 2026-12-07
   * a piece went out freely again once every piece had gone out as often: those second
   * copies did not make a flash crowd finish sooner, and were a fifth of the seed's upload.)
   */
  admit (session: PeerSession, index: number, insisted: boolean): boolean {
    const { initialSeed, have } = this.init
    if (!insisted && initialSeed && have.complete && this.copies.given(index) && this.heldElsewhere(session, index)) return false
    this.copies.record(index, session.peerId)
    return true
  }

  /** A copy admitted will not go out after all: see CopyLedger.withdraw. */
  withdraw (session: PeerSession, index: number): void {
    this.copies.withdraw(index, session.peerId)
  }

  private heldElsewhere (requester: PeerSession, index: number): boolean {
    const { peers } = this.init
    const last = this.copies.lastRecipient(index)
    // a copy queued to a peer that does not read is no copy in the swarm
    if (last !== undefined && last !== requester.peerId && peers.get(last)?.reading === true) return true
    for (const peer of peers.values()) if (peer !== requester && peer.remoteHas.has(index)) return true
    return false
  }

  /** The peer queued a request: serve its queue unless that is under way. */
  serve (session: PeerSession): void {
    if (!this.serving.has(session)) void this.sendQueued(session)
  }

  /** Once a second (a tick): a choke round every `chokeRoundTicks`, the optimistic slot moving every `optimisticRounds` rounds. */
  tick (ticks: number): void {
    const { chokeRoundTicks, optimisticRounds } = this.init.tuning
    if (ticks % chokeRoundTicks === 0) this.rechoke(ticks % (chokeRoundTicks * optimisticRounds) === 0)
  }

  /** A peer left: its slot goes to someone else. */
  peerLeft (session: PeerSession): void {
    if (this.optimistic === session.peerId) this.optimistic = undefined
    if (!session.choking) this.rechoke()
  }

  /** Hand out upload slots again (see core/choker). */
  rechoke (rotateOptimistic = false): void {
    if (!this.init.trading()) return
    const sessions = [...this.init.peers.values()].filter(s => !s.closed)
    const now = Date.now()
    const decision = choke({
      peers: sessions.map(s => ({
        id: s.peerId,
        interested: this.wantsSlot(s),
        downloadRate: s.downloadMeter.rate(),
        uploaded: s.given,
        unchoked: !s.choking,
        idle: s.asksNothing(now, this.init.tuning.idleSlotMs),
        joinedAt: s.connectedAt
      })),
      seeding: !this.init.downloading(),
      slots: this.init.uploadSlots,
      optimistic: this.optimistic,
      rotateOptimistic,
      now,
      random: Math.random,
      newcomers: CHOKING,
      keepMargin: CHOKING.keepMargin
    })
    this.optimistic = decision.optimistic
    for (const s of sessions) s.setChoking(!decision.unchoked.has(s.peerId))
  }

  /**
   * A slot is free and someone choked could use it (they became interested). A slot held by
   * a peer that wants nothing more from us, or asks us for nothing lately (SWARM.idleSlotMs),
   * counts as free: it would wait for the next round.
   */
  hasIdleSlot (): boolean {
    const now = Date.now()
    let used = 0
    let waiting = false
    for (const s of this.init.peers.values()) {
      const wants = this.wantsSlot(s)
      if (!s.choking) used += wants && !s.asksNothing(now, this.init.tuning.idleSlotMs) ? 1 : 0
      else if (!waiting && wants) waiting = true
    }
    return waiting && used < this.init.uploadSlots
  }

  /** The peer gained a piece: if it now lacks nothing we have, its slot goes to a peer waiting for one at once. */
  peerGained (session: PeerSession): void {
    if (!session.choking && !this.wantsSlot(session) && this.hasIdleSlot()) this.rechoke()
  }

  /** The peer lacks a piece we have, and reads what we send it (a peer that does not would hold the slot for nothing). */
  private wantsSlot (session: PeerSession): boolean {
    return session.reading && !session.isSeed && this.init.have.hasAnyMissingFrom(session.remoteHas)
  }

  /**
   * Serve a peer's queued requests, the rarest copy first (SendOrder). Reads run ahead of
   * sending (up to `readAheadBytes`): one read at a time left the sender idle on the thread
   * pool's latency. Peers take turns to be sent a copy, the rarest first (SendTurns).
   */
  private async sendQueued (session: PeerSession): Promise<void> {
    this.serving.add(session)
    const depth = Math.max(1, Math.floor(this.init.tuning.readAheadBytes / this.init.pieceSize))
    const reads: Array<{ index: number, data: Promise<Uint8Array> }> = []
    const pacing = this.pacing(session)
    const readAhead = (): void => {
      while (reads.length < depth) {
        const index = session.takeUpload(queue => this.order.first(queue))
        if (index === undefined) return
        const data = this.init.store.readPiece(index)
        data.catch(() => {}) // reported when awaited below
        reads.push({ index, data })
      }
    }
    try {
      readAhead()
      for (let next = this.takeRarest(reads); next !== undefined && !session.closed; next = this.takeRarest(reads)) {
        const data = await next.data
        readAhead()
        if (!await this.sendOne(session, next.index, data, pacing)) break
        readAhead()
      }
    } catch (err) {
      if (session.closed) return
      this.init.log.error('uploading to %s failed - %e', session.peerId, err)
      session.close(err as Error)
    } finally {
      this.serving.delete(session)
    }
  }

  /** The read-ahead piece to send next: the rarest now (peers gain pieces while it is read). */
  private takeRarest<T extends { index: number }> (reads: T[]): T | undefined {
    let best = 0
    for (let i = 1; i < reads.length; i++) if (this.order.before(reads[i].index, reads[best].index)) best = i
    return reads.splice(best, 1)[0]
  }

  /**
   * Send one piece read for `session`, unless it was cancelled while it was read: the peer
   * no longer waits for it, and its next request must not wait behind it (a copy already
   * begun goes out whole: see PieceWire.sendPiece). False once the wire is closed.
   */
  private async sendOne (session: PeerSession, index: number, data: Uint8Array, pacing?: Pacing): Promise<boolean> {
    if (!session.isCancelled(index)) {
      const turn = this.turns.take(() => this.init.holders(index))
      const release = typeof turn === 'function' ? turn : await turn
      try {
        return await this.sendCopy(session, index, data, pacing)
      } finally {
        release()
      }
    }
    return await this.sendCopy(session, index, data, pacing)
  }

  private async sendCopy (session: PeerSession, index: number, data: Uint8Array, pacing?: Pacing): Promise<boolean> {
    const cancelled = session.isCancelled(index)
    if (cancelled) this.withdraw(session, index)
    const open = cancelled || await session.sendPiece(index, data, pacing)
    session.finishUpload(index)
    if (open && !cancelled) {
      this.uploaded += data.byteLength
      this.meter.add(data.byteLength)
    }
    return open
  }

  /** Under an upload limit: frames small enough that a shared budget reaches every peer often. */
  private pacing (session: PeerSession): Pacing | undefined {
    const { rate, tuning } = this.init
    if (rate.unlimited) return undefined
    return {
      take: async (bytes: number) => { await rate.take(bytes, session.signal) },
      runBytes: Math.max(tuning.minPacedRun, Math.floor(rate.rate / tuning.pacedRunsPerSecond))
    }
  }
}
