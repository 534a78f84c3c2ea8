import { MANIFEST_SEARCH } from '../config/defaults.js'
import { sleep } from '../utils/sleep.js'
import type { SearchTally } from './search-tally.js'
import type { PeerNetwork } from './types.js'
import type { Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** The search's tunables (config/defaults MANIFEST_SEARCH documents each). */
export interface ManifestSearchTunables {
  readonly parallelCandidates: number
  readonly retryAfter: number
  readonly stalledRetryAfter: number
  readonly roundPause: number
  readonly providerDelay: number
}

export interface ManifestSearchInit {
  network: Pick<PeerNetwork, 'findPeers' | 'fetchManifest'>
  log: Logger
  /** @default MANIFEST_SEARCH */
  tunables?: ManifestSearchTunables
  /** Told every candidate found, asked and failed: what the get reports while it looks. */
  tally?: SearchTally
}

/**
 * One `get`'s search for a manifest: passes over the candidates the network offers
 * (connected peers first, then providers), `parallelCandidates` asked at once. The first
 * verified manifest wins and cancels the other requests; a candidate that failed waits
 * before it is asked again, longer if it stalled, so silent peers cannot hold every pass.
 */
export class ManifestSearch {
  private readonly tunables: ManifestSearchTunables
  /** When each failed candidate may be asked again. */
  private readonly retryAt = new Map<string, number>()

  constructor (private readonly init: ManifestSearchInit) {
    this.tunables = init.tunables ?? MANIFEST_SEARCH
  }

  /** The manifest of `cid`, or undefined once `signal` aborts first. */
  async find (cid: CID, signal: AbortSignal): Promise<Uint8Array | undefined> {
    while (!signal.aborted) {
      const found = await this.pass(cid, signal)
      if (found !== undefined) return found
      await sleep(this.tunables.roundPause, signal).catch(() => {})
    }
    return undefined
  }

  /** One pass over the candidates: the first manifest, or undefined once every request failed. */
  private async pass (cid: CID, signal: AbortSignal): Promise<Uint8Array | undefined> {
    // a win ends the provider search and every request still running
    const won = new AbortController()
    const passSignal = AbortSignal.any([signal, won.signal])
    let found: Uint8Array | undefined
    const running = new Set<Promise<void>>()
    /** Every request has ended (or one won). */
    const settled = async (): Promise<void> => {
      while (running.size > 0 && found === undefined) await Promise.race(running)
    }
    const ask = (peer: string): void => {
      const request = this.ask(peer, cid, passSignal).then(bytes => {
        if (bytes === undefined || found !== undefined) return
        found = bytes
        won.abort()
      }).finally(() => { running.delete(request) })
      running.add(request)
    }
    try {
      // connected peers first: the DHT is asked once they all failed, or after providerDelay
      const providersAfter = async (): Promise<void> => {
        await Promise.race([sleep(this.tunables.providerDelay, passSignal).catch(() => {}), settled()])
      }
      for await (const candidate of this.init.network.findPeers(cid, passSignal, { providersAfter })) {
        this.init.tally?.found(candidate)
        const peer = candidate.peerId
        if (!this.due(peer)) continue
        while (running.size >= this.tunables.parallelCandidates && found === undefined) await Promise.race(running)
        if (found !== undefined) break
        ask(peer)
      }
    } catch (err) {
      if (!passSignal.aborted) this.init.log('provider search failed - %e', err)
    }
    await settled()
    won.abort()
    return found
  }

  /** The peer's manifest, or undefined when it failed (logged, and the peer made to wait). */
  private async ask (peer: string, cid: CID, signal: AbortSignal): Promise<Uint8Array | undefined> {
    this.init.tally?.asking(peer)
    try {
      return await this.init.network.fetchManifest(peer, cid, signal)
    } catch (err) {
      if (signal.aborted) return undefined
      this.init.tally?.answered(peer, err)
      const stalled = (err as Error).name === 'PeerStalledError'
      this.retryAt.set(peer, Date.now() + (stalled ? this.tunables.stalledRetryAfter : this.tunables.retryAfter))
      this.init.log('no manifest from %s - %e', peer, err)
      return undefined
    }
  }

  private due (peer: string): boolean {
    const at = this.retryAt.get(peer)
    return at === undefined || at <= Date.now()
  }
}
