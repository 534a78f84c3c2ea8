import type { Libp2p, Logger, PeerDiscovery, PeerId, PeerInfo } from '@libp2p/interface'

export interface LanDialerInit {
  libp2p: Libp2p
  /** libp2p's mDNS service: its `peer` events are the peers it heard on the LAN. */
  discovery: PeerDiscovery
  isBanned(peer: string): boolean
  /** Dials at once; a peer heard while they are all busy is dialled when it answers again. */
  concurrency: number
  timeoutMs: number
  /** ms a peer whose dial failed is left alone (a node outside our private swarm fails every time). */
  retryAfterMs: number
  /** Failed peers remembered (the oldest go first). */
  maxTracked: number
  log: Logger
}

/**
 * Dials the peers mDNS finds. libp2p only records a discovered peer; Shoal wants a LAN
 * neighbour connected, so that a `get` there finds it among the connected peers.
 */
export class LanDialer {
  private readonly dialing = new Set<string>()
  /** Peer -> when it may be dialled again after a failed dial. */
  private readonly failed = new Map<string, number>()
  private readonly controller = new AbortController()
  private readonly onPeer = (evt: CustomEvent<PeerInfo>): void => { this.consider(evt.detail) }

  constructor (private readonly init: LanDialerInit) {}

  start (): void {
    this.init.discovery.addEventListener('peer', this.onPeer)
  }

  stop (): void {
    this.init.discovery.removeEventListener('peer', this.onPeer)
    this.controller.abort()
  }

  private consider (peer: PeerInfo): void {
    const id = peer.id.toString()
    if (id === this.init.libp2p.peerId.toString() || this.dialing.has(id) || this.init.isBanned(id)) return
    if (this.init.libp2p.getConnections(peer.id).length > 0) return
    if ((this.failed.get(id) ?? 0) > Date.now()) return
    if (this.dialing.size >= this.init.concurrency) return
    void this.dial(peer.id, id)
  }

  private async dial (peerId: PeerId, id: string): Promise<void> {
    this.dialing.add(id)
    try {
      await this.init.libp2p.dial(peerId, { signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.init.timeoutMs)]) })
      this.failed.delete(id)
      this.init.log('connected to %s, found on the LAN', id)
    } catch (err) {
      this.rememberFailure(id)
      this.init.log('cannot connect to %s, found on the LAN - %s', id, (err as Error).message)
    } finally {
      this.dialing.delete(id)
    }
  }

  private rememberFailure (id: string): void {
    this.failed.delete(id)
    this.failed.set(id, Date.now() + this.init.retryAfterMs)
    if (this.failed.size > this.init.maxTracked) this.failed.delete(this.failed.keys().next().value as string)
  }
}
