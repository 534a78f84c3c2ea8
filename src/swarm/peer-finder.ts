import { PEER_FINDING } from '../config/defaults.js'
import { sleep } from '../utils/sleep.js'
import type { Swarm } from './swarm.js'
import type { PeerNetwork } from './types.js'
import type { Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** See PEER_FINDING. */
const RETRY_AFTER: number = PEER_FINDING.retryAfter
const FIRST_PAUSE: number = PEER_FINDING.firstPause
const FIRST_JITTER: number = PEER_FINDING.firstJitter

export interface PeerFinderInit {
  swarm: Swarm
  /** The swarm's content id, as providers are searched for. */
  cid: CID
  network: PeerNetwork
  maxPeers: number
  /** ms between searches once the swarm is under way. */
  interval: number
  log: Logger
}

/**
 * Keeps an incomplete swarm supplied with peers: searches (connected peers, DHT providers)
 * soon after the swarm opens and then less often, and tries every peer that connects to
 * the node meanwhile, so leechers that start together find each other.
 */
export class PeerFinder {
  private readonly init: PeerFinderInit
  private readonly controller = new AbortController()
  private readonly trying = new Set<string>()
  private readonly failedAt = new Map<string, number>()

  constructor (init: PeerFinderInit) {
    this.init = init
  }

  start (lifetime: AbortSignal): void {
    const signal = AbortSignal.any([this.controller.signal, lifetime])
    void this.searchLoop(signal)
  }

  stop (): void {
    this.controller.abort()
  }

  /** Open a piece exchange with `peer` unless it is in the swarm, being tried, or failed lately. */
  offer (peer: string): void {
    const { swarm, network, maxPeers } = this.init
    if (this.controller.signal.aborted || swarm.state !== 'downloading') return
    if (peer === network.localPeerId || swarm.peers.has(peer) || this.trying.has(peer)) return
    if (Date.now() - (this.failedAt.get(peer) ?? 0) < RETRY_AFTER) return
    if (swarm.peers.size + this.trying.size >= maxPeers) return
    this.trying.add(peer)
    network.connect(peer, swarm.contentId, this.controller.signal)
      .catch(err => {
        this.failedAt.set(peer, Date.now())
        this.init.log('no exchange with %s - %e', peer, err)
      })
      .finally(() => this.trying.delete(peer))
  }

  private async searchLoop (signal: AbortSignal): Promise<void> {
    const { swarm, network, interval, cid } = this.init
    let pause = FIRST_PAUSE
    // nodes that start together (a swarm launched at once) spread their first queries
    await sleep(Math.random() * FIRST_JITTER, signal).catch(() => {})
    while (!signal.aborted && swarm.state === 'downloading') {
      if (swarm.peers.size >= this.init.maxPeers / 2) {
        // enough partners: no DHT query this round
        await sleep(pause, signal).catch(() => {})
        pause = Math.min(pause * 2, interval)
        continue
      }
      const round = AbortSignal.any([signal, AbortSignal.timeout(interval)])
      try {
        for await (const peer of network.findPeers(cid, round)) this.offer(peer)
      } catch (err) {
        if (!round.aborted) this.init.log('provider search failed - %e', err)
      }
      await sleep(pause, signal).catch(() => {})
      pause = Math.min(pause * 2, interval)
    }
  }
}
