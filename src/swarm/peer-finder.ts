import { sleep } from '../utils/sleep.js'
import type { Swarm } from './swarm.js'
import type { PeerNetwork } from './types.js'
import type { Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** ms before a peer that refused a swarm, or could not be reached, is tried again. */
const RETRY_AFTER = 5_000
/**
 * First pause between provider searches; it doubles up to the configured interval. Peers
 * that connect meanwhile are offered at once, so later searches only catch what the DHT knows
 * and nobody told us: in a swarm of dozens of nodes, every node's DHT queries cost every
 * other node CPU (a 33-node swarm ran twice as long with a first pause of 500 ms).
 */
const FIRST_PAUSE = 2000
/** ms of random delay before the first search. */
const FIRST_JITTER = 1000

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
