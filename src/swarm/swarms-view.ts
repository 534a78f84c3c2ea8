import { PieceNotVerifiedError, UnknownContentError } from '../errors.js'
import { swarmInfo } from './status.js'
import type { SwarmEvents } from './events.js'
import type { SwarmRegistry } from './registry.js'
import type { SwarmInfo } from './status.js'
import type { Manifest } from '../core/manifest.js'
import type { AbortOptions } from '@libp2p/interface'

export type { SwarmInfo }

export type SwarmEventListener<K extends keyof SwarmEvents> = (event: SwarmEvents[K]) => void

/**
 * Shoal's swarms, read-only, as every protocol module gets them (`components.swarms`).
 * Nothing here can change a swarm's pieces: pieces enter a swarm only through verification.
 */
export interface SwarmsView {
  list(): SwarmInfo[]
  get(contentId: string): SwarmInfo | undefined
  /** A copy of the swarm's manifest (name, files, piece size, piece hashes). */
  manifest(contentId: string): Manifest | undefined
  /** Peer ids of the peers trading in the swarm now; empty for unknown content. */
  peers(contentId: string): string[]
  /** Whether `peerId`, trading in the swarm, has announced piece `index`. */
  peerHas(contentId: string, peerId: string, index: number): boolean
  /** The bitfield `peerId` announced (a copy; bit 0 is the high bit of byte 0), if it trades in the swarm. */
  peerPieces(contentId: string, peerId: string): Uint8Array | undefined
  /** Whether piece `index` is verified here. */
  hasPiece(contentId: string, index: number): boolean
  /** A verified piece's bytes (a fresh copy). Throws UnknownContentError or PieceNotVerifiedError. */
  readPiece(contentId: string, index: number, options?: AbortOptions): Promise<Uint8Array>
  /**
   * Suggest a peer for an incomplete swarm (its addresses should be in the peer store): the
   * node tries a piece exchange with it, within the swarm's peer limit. Ignored otherwise. A
   * swarm so offered peers asks the DHT, while fed, only every PEER_FINDING.toldQuiet.
   */
  offerPeer(contentId: string, peerId: string): void
  addEventListener<K extends keyof SwarmEvents>(type: K, listener: SwarmEventListener<K>): void
  removeEventListener<K extends keyof SwarmEvents>(type: K, listener: SwarmEventListener<K>): void
}

/** The read-only adapter over the registry: the only way protocol modules reach swarms. */
export class RegistryView implements SwarmsView {
  constructor (private readonly registry: SwarmRegistry) {}

  list (): SwarmInfo[] {
    return this.registry.list().map(e => swarmInfo(e.swarm))
  }

  get (contentId: string): SwarmInfo | undefined {
    const swarm = this.registry.swarm(contentId)
    return swarm === undefined ? undefined : swarmInfo(swarm)
  }

  manifest (contentId: string): Manifest | undefined {
    const swarm = this.registry.swarm(contentId)
    return swarm === undefined ? undefined : structuredClone(swarm.manifest)
  }

  peers (contentId: string): string[] {
    return [...(this.registry.swarm(contentId)?.peers.keys() ?? [])]
  }

  peerHas (contentId: string, peerId: string, index: number): boolean {
    const remote = this.registry.swarm(contentId)?.peers.get(peerId)?.remoteHas
    return remote !== undefined && Number.isInteger(index) && index >= 0 && index < remote.length && remote.has(index)
  }

  peerPieces (contentId: string, peerId: string): Uint8Array | undefined {
    return this.registry.swarm(contentId)?.peers.get(peerId)?.remoteHas.toBytes()
  }

  hasPiece (contentId: string, index: number): boolean {
    const swarm = this.registry.swarm(contentId)
    return swarm !== undefined && Number.isInteger(index) && index >= 0 && index < swarm.pieceCount && swarm.hasPiece(index)
  }

  async readPiece (contentId: string, index: number, options: AbortOptions = {}): Promise<Uint8Array> {
    options.signal?.throwIfAborted()
    const swarm = this.registry.swarm(contentId)
    if (swarm === undefined) throw new UnknownContentError(`unknown content ${contentId}`)
    if (!this.hasPiece(contentId, index)) throw new PieceNotVerifiedError(`piece ${index} of ${contentId} is not verified here`)
    return await swarm.readPiece(index)
  }

  offerPeer (contentId: string, peerId: string): void {
    this.registry.offerPeer(contentId, peerId)
  }

  addEventListener<K extends keyof SwarmEvents> (type: K, listener: SwarmEventListener<K>): void {
    this.registry.events.addEventListener(type, listener)
  }

  removeEventListener<K extends keyof SwarmEvents> (type: K, listener: SwarmEventListener<K>): void {
    this.registry.events.removeEventListener(type, listener)
  }
}
