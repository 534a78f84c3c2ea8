import { PEER_BACKLOG, PEER_FINDING } from '../config/defaults.js'
import { sleep } from '../utils/sleep.js'
import type { Swarm } from './swarm.js'
import type { PeerNetwork } from './types.js'
import type { Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** See PEER_FINDING. */
const RETRY_AFTER: number = PEER_FINDING.retryAfter
const FIRST_PAUSE: number = PEER_FINDING.firstPause
const FIRST_JITTER: number = PEER_FINDING.firstJitter
const CONNECTED_WAIT: number = PEER_FINDING.connectedWait
const MAX_QUIET: number = PEER_FINDING.maxQuiet
const TOLD_QUIET: number = PEER_FINDING.toldQuiet
/** ms between looks at whether a fed swarm has started to starve. */
const CHECK_MS = 250
const MAX_WAITING: number = PEER_BACKLOG.maxWaiting

/** Peers a downloading swarm of at most `maxPeers` dials itself at first while it has a source of every piece it wants (PEER_FINDING.dialShare). */
export function dialTarget (maxPeers: number): number {
  return Math.max(1, Math.round(maxPeers * PEER_FINDING.dialShare))
}

/** The same from its second search on (PEER_FINDING.topUpShare). */
export function topUpTarget (maxPeers: number): number {
  return Math.max(dialTarget(maxPeers), Math.round(maxPeers * PEER_FINDING.topUpShare))
}

export interface PeerFinderInit {
  swarm: Swarm
  /** The swarm's content id, as providers are searched for. */
  cid: CID
  network: PeerNetwork
  /** limits.maxPeersPerSwarm: it dials up to dialTarget(maxPeers) of them, and up to all while it lacks a source. */
  maxPeers: number
  /** ms between searches once the swarm is under way. */
  interval: number
  log: Logger
}

/**
 * Keeps an incomplete swarm supplied with peers: tries the peers connected when it opens, and
 * every peer that connects to the node meanwhile, so leechers that start together find each
 * other; searches the DHT for providers at once when nobody connected trades the content, and
 * otherwise when the swarm starves or a while after it opened, then less and less often.
 */
export class PeerFinder {
  private readonly init: PeerFinderInit
  private readonly controller = new AbortController()
  private readonly trying = new Set<string>()
  /** Peers offered while every slot was taken, tried oldest first as attempts end (see PEER_BACKLOG). */
  private readonly waiting = new Set<string>()
  /** When each peer last failed, oldest first: only failures of the last RETRY_AFTER are kept. */
  private readonly failedAt = new Map<string, number>()
  /** Peers it dials itself (while every wanted piece has a source): dialTarget, then topUpTarget. */
  private dialTarget: number
  /** Its peers name others of the swarm to it (peer exchange): see PEER_FINDING.toldQuiet. */
  private told = false

  constructor (init: PeerFinderInit) {
    this.init = init
    this.dialTarget = dialTarget(init.maxPeers)
  }

  /** After the first search: a swarm that others did not dial (a crowd's last joiner) dials more itself. */
  private topUp (): void {
    const target = topUpTarget(this.init.maxPeers)
    if (target === this.dialTarget) return
    this.dialTarget = target
    this.offerWaiting()
  }

  start (lifetime: AbortSignal): void {
    const signal = AbortSignal.any([this.controller.signal, lifetime])
    // connected peers at once: the search's jitter spreads DHT queries, and a 1 -> 1 get
    // waited up to FIRST_JITTER for the seeder it was already connected to
    for (const peer of this.init.network.connectedPeers()) this.offer(peer)
    void this.searchLoop(signal)
  }

  stop (): void {
    this.controller.abort()
  }

  /**
   * Open a piece exchange with `peer` unless it is in the swarm, being tried, or failed
   * lately; with every slot taken, it waits for one (an attempt settles within the handshake
   * timeout, so peers that never answer properly cannot keep the rest out).
   */
  offer (peer: string): void {
    const { swarm, network } = this.init
    if (this.controller.signal.aborted || swarm.state !== 'downloading') return
    if (peer === network.localPeerId || swarm.peers.has(peer) || this.trying.has(peer)) return
    if (Date.now() - (this.failedAt.get(peer) ?? 0) < RETRY_AFTER) return
    if (!this.hasRoom()) {
      if (this.waiting.size < MAX_WAITING) this.waiting.add(peer)
      return
    }
    this.waiting.delete(peer)
    this.trying.add(peer)
    network.connect(peer, swarm.contentId, this.controller.signal)
      .catch(err => {
        this.failed(peer)
        this.init.log('no exchange with %s - %e', peer, err)
      })
      .finally(() => {
        this.trying.delete(peer)
        this.offerWaiting()
      })
  }

  /**
   * A peer of the swarm named `peer` as another of its members (peer exchange, or any module
   * offering peers): offered like a peer that connects, and the swarm, while fed, leaves the
   * DHT alone for longer (PEER_FINDING.toldQuiet).
   */
  heardOf (peer: string): void {
    this.told = true
    this.offer(peer)
  }

  /** Not in the swarm, not being tried and not failed lately: a search that names it told us something. */
  private isNew (peer: string): boolean {
    return peer !== this.init.network.localPeerId && !this.init.swarm.peers.has(peer) && !this.trying.has(peer) && !this.waiting.has(peer) && !this.failedAt.has(peer)
  }

  /**
   * Peers being tried and peers in the swarm, under the dial target (under maxPeers while a
   * wanted piece has no source among them), while the node's budget has a place; or, one
   * attempt at a time, a swarm full (or at the node's budget) that would drop an idle peer for
   * a newcomer (else a full swarm whose peers are all of no use would never try the one that
   * has what it lacks). A peer dialled for no place would be refused, its connection wasted.
   */
  private hasRoom (): boolean {
    const { swarm, maxPeers } = this.init
    const taken = swarm.peers.size + this.trying.size
    const atBudget = swarm.atNodeBudget
    // needsSource scans every piece: asked only between the dial target and maxPeers
    if (!atBudget && (taken < this.dialTarget || (taken < maxPeers && swarm.needsSource))) return true
    return this.trying.size === 0 && (atBudget || swarm.peers.size >= maxPeers) && swarm.hasRoomForPeer
  }

  /** The node's budget has a place again (see SessionBudgetInit.roomFreed): the peers that waited for one are tried. */
  roomFreed (): void {
    this.offerWaiting()
  }

  /** A slot came free: the peers that waited for one, oldest first. */
  private offerWaiting (): void {
    for (const peer of this.waiting) {
      if (!this.hasRoom()) return
      this.waiting.delete(peer)
      this.offer(peer)
    }
  }

  private failed (peer: string): void {
    const now = Date.now()
    this.failedAt.delete(peer)
    this.failedAt.set(peer, now)
    for (const [old, at] of this.failedAt) {
      if (now - at < RETRY_AFTER) break
      this.failedAt.delete(old)
    }
  }

  /**
   * DHT searches: at once for a swarm nobody connected trades with, an interval after it
   * opened for a fed one (see PEER_FINDING.maxQuiet); after a search, the next follows `pause`
   * (doubling up to the interval) if it named someone new, else the interval, and a fed swarm
   * waits twice as long as it last did (up to maxQuiet) instead.
   */
  private async searchLoop (signal: AbortSignal): Promise<void> {
    const { swarm, interval } = this.init
    let pause = FIRST_PAUSE
    let quiet = interval
    // nodes that start together (a swarm launched at once) spread their first queries
    await sleep(Math.random() * FIRST_JITTER, signal).catch(() => {})
    // the peers connected at the start are being tried: a search waits for their answer, a while
    // (those that answered first may lack what the slower ones have: a crowd's seeder, busy)
    while (!signal.aborted && this.trying.size > 0 && this.starving() && Date.now() - swarm.startedAt < CONNECTED_WAIT) {
      await sleep(CHECK_MS, signal).catch(() => {})
    }
    let next = Date.now()
    let fedNext = swarm.peers.size > 0 ? swarm.startedAt + interval : next
    let searchedAt = swarm.startedAt
    while (!signal.aborted && swarm.state === 'downloading') {
      if (swarm.peers.size >= this.dialTarget && !swarm.needsSource) {
        // enough partners, and work from them (or a source among them of every piece we want): no DHT query this round
        this.topUp()
        await sleep(pause, signal).catch(() => {})
        pause = Math.min(pause * 2, interval)
        continue
      }
      const now = Date.now()
      const fedDue = this.told ? Math.max(fedNext, searchedAt + TOLD_QUIET) : fedNext
      const due = Math.max(next, this.starving() ? next : fedDue)
      if (now < due) {
        await sleep(Math.min(due - now, CHECK_MS), signal).catch(() => {})
        continue
      }
      const news = await this.search(signal)
      this.topUp()
      // a search that named nobody new cost every node of the DHT a query for nothing, and
      // peers that connect meanwhile (its own walk connects us to the DHT's nodes) are offered
      // without one: the next waits the longest
      const after = Date.now()
      searchedAt = after
      quiet = news === 0 ? Math.min(quiet * 2, MAX_QUIET) : interval
      next = after + (news === 0 ? interval : pause)
      fedNext = after + (news === 0 ? quiet : pause)
      pause = Math.min(pause * 2, interval)
    }
  }

  /** Nobody trades with us, or a wanted piece none of our peers has: worth a search at once. */
  private starving (): boolean {
    return this.init.swarm.peers.size === 0 || this.init.swarm.needsSource
  }

  /** One provider search: every peer it names is offered; how many were new to us. */
  private async search (signal: AbortSignal): Promise<number> {
    const { network, interval, cid } = this.init
    const round = AbortSignal.any([signal, AbortSignal.timeout(interval)])
    let news = 0
    try {
      for await (const { peerId } of network.findPeers(cid, round)) {
        if (this.isNew(peerId)) news++
        this.offer(peerId)
      }
    } catch (err) {
      if (!round.aborted) this.init.log('provider search failed - %e', err)
    }
    return news
  }
}
