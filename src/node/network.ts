import { peerIdFromString } from '@libp2p/peer-id'
import { MANIFEST_SEARCH } from '../config/defaults.js'
import { UnknownContentError } from '../errors.js'
import { Strikes } from './strikes.js'
import type { BanList } from './bans.js'
import type { ShoalServices } from './libp2p.js'
import type { Announcer } from '../discovery/announcer.js'
import type { BootstrapKeeper } from '../discovery/bootstrap-keeper.js'
import type { SwarmLookup } from '../core/wire.js'
import type { FindPeersOptions, FoundPeer, NetworkConnectivity, PeerNetwork } from '../swarm/types.js'
import type { ManifestExchange } from '../../protocols/manifest-exchange/index.js'
import type { PieceExchange } from '../../protocols/piece-exchange/index.js'
import type { Libp2p, Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface Libp2pNetworkInit {
  libp2p: Libp2p<ShoalServices>
  pieceExchange: PieceExchange
  manifestExchange: ManifestExchange
  /** The registry of swarms: where a piece exchange we open finds its swarm. */
  swarms: SwarmLookup
  announcer?: Announcer
  /** The config's bootstrap addresses and their keeper: what a search that finds nobody reports. */
  bootstrap?: { addresses: readonly string[], keeper: Pick<BootstrapKeeper, 'report' | 'dialNow'> }
  /** The node has a swarm key. */
  privateSwarm?: boolean
  /** The config file, named in advice. */
  configFile?: string
  bans: BanList
  log: Logger
  /**
   * A peer proved itself hostile: it served a manifest that is not the content id's, or
   * stalled manifest requests `MANIFEST_SEARCH.maxStalls` times.
   */
  onMisbehaviour?: (peerId: string, reason: string) => void
}

/** The swarms' view of the network, made of libp2p, the DHT and Shoal's two protocols. */
export class Libp2pNetwork implements PeerNetwork {
  readonly localPeerId: string
  /** Manifest requests each peer stalled lately. */
  private readonly manifestStalls = new Strikes({ limit: MANIFEST_SEARCH.maxStalls, windowMs: MANIFEST_SEARCH.stallWindow, maxPeers: MANIFEST_SEARCH.maxTrackedPeers })

  constructor (private readonly init: Libp2pNetworkInit) {
    this.localPeerId = init.libp2p.peerId.toString()
  }

  connectedPeers (): string[] {
    return this.init.libp2p.getPeers().map(String).filter(peer => !this.init.bans.isBanned(peer))
  }

  connectivity (): NetworkConnectivity {
    const { bootstrap, privateSwarm, configFile } = this.init
    const dials = bootstrap?.keeper.report()
    return {
      connections: this.init.libp2p.getPeers().length,
      bootstrap: {
        addresses: bootstrap?.addresses ?? [],
        connected: dials?.connected ?? 0,
        failedDials: dials?.failedDials ?? 0,
        ...(dials?.lastFailure === undefined ? {} : { lastFailure: dials.lastFailure })
      },
      privateSwarm: privateSwarm === true,
      ...(configFile === undefined ? {} : { configFile })
    }
  }

  async * findPeers (cid: CID, signal: AbortSignal, options: FindPeersOptions = {}): AsyncIterable<FoundPeer> {
    const seen = new Set<string>([this.localPeerId])
    const fresh = (peer: string): boolean => {
      if (seen.has(peer) || this.init.bans.isBanned(peer)) return false
      seen.add(peer)
      return true
    }
    const connected = this.init.libp2p.getPeers()
    // alone: the bootstrap keeper's back-off may have grown to a minute while a get waits
    if (connected.length === 0) this.init.bootstrap?.keeper.dialNow()
    let named = 0
    for (const peer of connected) {
      if (!fresh(peer.toString())) continue
      named++
      yield { peerId: peer.toString(), source: 'connected' }
    }
    if (this.init.libp2p.services.dht === undefined) return
    if (named > 0 && options.providersAfter !== undefined) await options.providersAfter()
    if (signal.aborted) return
    for await (const provider of this.init.libp2p.contentRouting.findProviders(cid, { signal })) {
      const peer = provider.id.toString()
      if (!fresh(peer)) continue
      if (provider.multiaddrs.length > 0) {
        await this.init.libp2p.peerStore.merge(provider.id, { multiaddrs: provider.multiaddrs }).catch(() => {})
      }
      this.init.log('found provider %s for %c', peer, cid)
      yield { peerId: peer, source: 'provider' }
    }
  }

  async connect (peer: string, contentId: string, signal: AbortSignal): Promise<void> {
    const endpoint = this.init.swarms.endpoint(contentId)
    if (endpoint === undefined) throw new UnknownContentError(`no swarm for ${contentId}`)
    await this.init.pieceExchange.connect(peerIdFromString(peer), endpoint, { signal })
  }

  async fetchManifest (peer: string, cid: CID, signal: AbortSignal): Promise<Uint8Array> {
    try {
      const bytes = await this.init.manifestExchange.fetch(peerIdFromString(peer), cid, { signal })
      // an honest peer that stalled under load once in a while is forgiven once it serves
      this.manifestStalls.forgive(peer)
      return bytes
    } catch (err) {
      const { name } = err as Error
      // an honest peer serves only manifests it checked against their id: this one forged it
      if (name === 'ManifestMismatchError') this.init.onMisbehaviour?.(peer, `served a forged manifest for ${cid.toString()}`)
      if (name === 'PeerStalledError') this.onManifestStall(peer, err as Error)
      throw err
    }
  }

  /** A stall may be load once in a while; a peer that keeps stalling holds every search that meets it. */
  private onManifestStall (peer: string, err: Error): void {
    const { count, reached } = this.manifestStalls.record(peer)
    this.init.log('peer %s stalled a manifest request (%d of %d) - %s', peer, count, MANIFEST_SEARCH.maxStalls, err.message)
    if (reached) this.init.onMisbehaviour?.(peer, `stalled ${count} manifest requests (silent, or slower than the minimum rate)`)
  }

  provide (cid: CID): void {
    this.init.announcer?.provide(cid)
  }
}
