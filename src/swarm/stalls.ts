import { ProtocolViolationError } from '../errors.js'
import type { PeerSession } from './peer-session.js'
import type { SwarmTimeouts } from './swarm-init.js'
import type { Logger } from '@libp2p/interface'

export interface StallWatchInit {
  /** `request`: ms before an unanswered request goes to another peer; a peer silent for a third of it is snubbed. */
  timeouts: SwarmTimeouts
  /** Bytes a second below which a piece coming for `timeouts.request` since its first byte counts as stalled. */
  minPieceRate: number
  /** A request was given up: the picker may hand it out again. */
  release: (index: number) => void
  /** A peer stalled, short of a ban (a ban closes its session with a ProtocolViolationError). */
  onStall: (peerId: string, reason: string) => void
  /** A request to `peerId` was given up, silent or trickling too long (it goes to another peer). */
  onTimedOut?: (peerId: string, index: number) => void
  log: Logger
}

/**
 * Requests that stopped moving, and the peers that hold them: timed-out and trickling
 * requests go to other peers, a silent peer is snubbed, and a peer that holds our requests
 * too often is scored until it is banned.
 */
export class StallWatch {
  constructor (private readonly init: StallWatchInit) {}

  /** Run once a second over the swarm's peers while it downloads. */
  check (sessions: Iterable<PeerSession>, now = Date.now()): void {
    for (const session of [...sessions]) this.checkPeer(session, now)
  }

  private checkPeer (session: PeerSession, now: number): void {
    const { timeouts, minPieceRate } = this.init
    const holding = session.isHolding(now, timeouts.request, minPieceRate)
    this.giveUpStalled(session, now)
    if (holding) this.onHolding(session)
    if (session.closed) return
    if (!session.snubbed && session.isStalled(now, timeouts.request / 3)) {
      // its requests go to others; a snub alone is no offence (a slow, busy peer can be silent that long)
      const silentFor = now - session.lastDataAt
      for (const index of session.snub()) this.init.release(index)
      this.init.log('peer %s snubbed: no data for %d ms', session.peerId, silentFor)
    }
  }

  /** Requests silent since the deadline, or trickling since it, go to other peers. */
  private giveUpStalled (session: PeerSession, now: number): void {
    const deadline = now - this.init.timeouts.request
    const stalled = new Set([...session.expiredRequests(deadline), ...session.tricklingRequests(deadline, now, this.init.minPieceRate)])
    for (const index of stalled) {
      session.abandon(index)
      this.init.release(index)
      this.init.onTimedOut?.(session.peerId, index)
      this.init.log('request for piece %d from %s stalled', index, session.peerId)
    }
  }

  /** A peer held our requests without sending their data: scored, and banned once it has done so too often. */
  private onHolding (session: PeerSession): void {
    const verdict = session.recordStall()
    if (verdict === undefined) {
      this.init.onStall(session.peerId, `stalled ${session.score.count('stall')} time(s)`)
    } else if (!session.closed) {
      // reported (and banned) by the swarm when the session closes, as every violation
      session.close(new ProtocolViolationError(verdict))
    }
  }
}
