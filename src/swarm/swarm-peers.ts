import { Bitfield } from '../core/bitfield.js'
import { IDENTITIES } from '../config/defaults.js'
import { IdlePeers } from './idle-peers.js'
import { PeerSession } from './peer-session.js'
import type { BudgetMember, SessionBudget } from './session-budget.js'
import type { SessionHost } from './session-host.js'
import type { PiecePicker } from '../core/piece-picker.js'
import type { PieceWire, RejectReason } from '../core/wire.js'
import type { Logger } from '@libp2p/interface'

/** What joining and leaving peers change in the rest of the swarm. */
export interface PeerWork {
  /** A request that was out to a leaving peer goes back to the picker. */
  release(index: number): void
  fillAll(): void
  peerLeft(session: PeerSession): void
  rechoke(): void
}

/** What the swarm's observer hears of its peers. */
export interface PeerEvents {
  joined(peerId: string): void
  left(peerId: string): void
  misbehaved(peerId: string, reason: string, fatal: boolean): void
}

export interface SwarmPeersInit {
  /** Where the sessions report (the swarm). */
  host: SessionHost
  /** Pieces verified here: a newcomer hears of those verified after our handshake went out. */
  have: Bitfield
  localPeerId: string
  maxPeers: number
  /** The node-wide budget every swarm's peers count against, if any. */
  budget?: SessionBudget
  picker: Pick<PiecePicker, 'addPeer' | 'removePeer'>
  work: PeerWork
  events: PeerEvents
  log: Logger
}

/**
 * Who trades in one swarm: the peer sessions by peer id, and the rules of joining (one
 * stream per peer, a full swarm drops its longest idle peer for a newcomer) and leaving
 * (its requests go back, its availability leaves the picker). The only writer of the map.
 */
export class SwarmPeers implements BudgetMember {
  private readonly sessions = new Map<string, PeerSession>()
  /** Who a full swarm drops for a newcomer. */
  private readonly idle = new IdlePeers(IDENTITIES.minIdleToDrop)

  constructor (private readonly init: SwarmPeersInit) {
    init.budget?.add(this)
  }

  /** The peers trading, by peer id. */
  get all (): ReadonlyMap<string, PeerSession> { return this.sessions }

  get size (): number { return this.sessions.size }

  has (peerId: string): boolean { return this.sessions.has(peerId) }

  /** A peer finished the handshake: its session, or why it is refused. `sent` is the bitfield our handshake carried. */
  join (wire: PieceWire, remoteBitfield: Uint8Array, sent?: Uint8Array): PeerSession | RejectReason {
    const { have, picker, log } = this.init
    const remoteHas = Bitfield.fromBytes(remoteBitfield, have.length)
    const existing = this.sessions.get(wire.remotePeer)
    if (existing !== undefined) {
      if (!this.prefer(wire, existing)) return 'duplicate'
      existing.close()
    } else if (!this.roomForNewcomer()) {
      this.init.budget?.settled(wire.remotePeer)
      return 'swarm-full'
    }
    const session = new PeerSession(this.init.host, wire, remoteHas)
    this.sessions.set(session.peerId, session)
    picker.addPeer(remoteHas)
    log('peer %s joined with %d/%d pieces', session.peerId, remoteHas.count, have.length)
    this.init.events.joined(session.peerId)
    // the protocol sends our handshake right after attach returns: requests must follow it
    queueMicrotask(() => {
      if (sent !== undefined) this.announceSince(session, sent)
      this.init.work.rechoke()
    })
    return session
  }

  /** A session closed: it leaves, its requests go back, a violation is reported. */
  left (session: PeerSession, err?: Error): void {
    const { work, events } = this.init
    if (this.sessions.get(session.peerId) === session) {
      this.sessions.delete(session.peerId)
      events.left(session.peerId)
    }
    this.init.picker.removePeer(session.remoteHas)
    for (const index of session.requestedPieces()) work.release(index)
    if (err !== undefined && err.name === 'ProtocolViolationError') events.misbehaved(session.peerId, err.message, true)
    this.init.log('peer %s left%s', session.peerId, err === undefined ? '' : ` (${err.message})`)
    work.peerLeft(session)
    work.fillAll()
    this.init.budget?.settled(session.peerId)
  }

  /** Whether a newcomer would find room: a free place (in this swarm and the node's budget), or a peer of no use for long enough to drop. */
  hasRoom (): boolean {
    return (this.sessions.size < this.init.maxPeers && !this.atNodeBudget) || this.idle.longestIdle(this.sessions.values(), Date.now()) !== undefined
  }

  /** The node's budget leaves this swarm no place: none free, and no larger swarm to give one up. */
  get atNodeBudget (): boolean {
    return !(this.init.budget?.hasRoomFor(this) ?? true)
  }

  /** Note who moved piece bytes lately (once a second). */
  observe (now: number): void {
    this.idle.observe(this.sessions.values(), now)
  }

  /** The peer idle for longest, however briefly: the one a full node drops for a smaller swarm's newcomer. */
  leastUseful (): string | undefined {
    return this.idle.longestIdle(this.sessions.values(), Date.now(), 0)?.peerId
  }

  drop (peerId: string): void {
    this.init.log('node full: dropping %s, the peer of no use for longest, for a smaller swarm', peerId)
    this.sessions.get(peerId)?.close()
  }

  /** Close every session and forget them all. */
  closeAll (): void {
    this.init.budget?.remove(this)
    for (const session of this.sessions.values()) session.close()
    this.sessions.clear()
  }

  /**
   * Room for one more peer: under our own limit and the node's budget (another swarm may give
   * one up), or by dropping a peer of ours idle for long enough.
   */
  private roomForNewcomer (): boolean {
    if (this.sessions.size < this.init.maxPeers && (this.init.budget?.makeRoomFor(this) ?? true)) return true
    return this.makeRoom()
  }

  /** Drop the peer of no use for longest, if one has been for long enough; false if none. */
  private makeRoom (): boolean {
    const idle = this.idle.longestIdle(this.sessions.values(), Date.now())
    if (idle === undefined) return false
    this.init.log('swarm full: dropping %s, the peer of no use for longest', idle.peerId)
    idle.close()
    return true
  }

  /** Announce to `session` the pieces verified after our handshake (with `sent`) went out. */
  private announceSince (session: PeerSession, sent: Uint8Array): void {
    const { have } = this.init
    const then = new Bitfield(have.length, sent)
    for (let i = 0; i < have.length; i++) if (have.has(i) && !then.has(i)) session.announce(i)
  }

  /** Of two streams to one peer, both sides keep the one opened by the lower peer id. */
  private prefer (candidate: PieceWire, existing: PeerSession): boolean {
    const dialer = (outbound: boolean): string => outbound ? this.init.localPeerId : candidate.remotePeer
    return dialer(candidate.outbound) < dialer(existing.outbound)
  }
}
