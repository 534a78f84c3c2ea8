import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { decodePex, encodePex } from './codec.js'
import { ADDRESS_CACHE_MS, DEFAULT_INTERVAL, DEFAULT_REMEMBER, DEFAULT_TIMEOUT, MAX_INBOUND_STREAMS, MAX_MESSAGE_SIZE, MAX_PEERS, MAX_RATE_ENTRIES, PROTOCOL_NAME, PROTOCOL_PREFIX, PROTOCOL_VERSION } from './constants.js'
import { RateLimitedError } from './errors.js'
import { RecentPeers } from './recent-peers.js'
import type { PeerExchange, PeerExchangeComponents, PeerExchangeInit, PeerExchangeStats } from './index.js'
import type { PexPeerInfo } from './codec.js'
import type { SwarmEvents } from '../../src/index.js'
import type { Connection, Logger, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Sends each swarm peer the swarm's other peers, and offers the peers it is told about to its swarms. */
export class PeerExchangeClass implements PeerExchange {
  readonly protocol: string
  private readonly components: PeerExchangeComponents
  private readonly log: Logger
  private readonly interval: number
  private readonly timeout: number
  private readonly recent: RecentPeers
  /** `${contentId} ${peerId}` -> when we last sent that peer a message about that swarm. */
  private readonly lastSent = new Map<string, number>()
  /** `${contentId} ${peerId}` -> the peers that message named: the same list is not sent again. */
  private readonly lastNamed = new Map<string, string>()
  /**
   * The receive rate limit, keyed by peer (a sender picks content ids, not its peer id): for
   * each, when it last told us about each of our swarms (content we do not have counts as one).
   */
  private readonly lastReceived = new Map<string, Map<string, number>>()
  /**
   * Addresses read from the peer store lately, by peer: a swarm's peers joining at once each
   * start a message naming the same others, and each read decodes the peer's record (in a
   * 17-node crowd ~1,900 reads in the first seconds). A stale address costs a failed dial at worst.
   */
  private readonly addresses = new Map<string, { at: number, addrs: Multiaddr[] }>()
  private readonly counts: PeerExchangeStats = { sent: 0, received: 0, refused: 0, learned: 0 }
  private timer?: NodeJS.Timeout
  private readonly onJoined = (event: SwarmEvents['swarm:peer-joined']): void => {
    const { contentId, peerId } = event.detail
    this.recent.seen(contentId, peerId)
    void this.send(contentId, peerId)
  }

  private readonly onLeft = (event: SwarmEvents['swarm:peer-left']): void => {
    this.recent.seen(event.detail.contentId, event.detail.peerId)
  }

  constructor (components: PeerExchangeComponents, init: PeerExchangeInit = {}) {
    this.components = components
    this.log = components.logger.forComponent('shoal:pex')
    this.protocol = `/${init.protocolPrefix ?? PROTOCOL_PREFIX}/${PROTOCOL_NAME}/${PROTOCOL_VERSION}`
    this.interval = init.interval ?? DEFAULT_INTERVAL
    this.timeout = init.timeout ?? DEFAULT_TIMEOUT
    this.recent = new RecentPeers(init.remember ?? DEFAULT_REMEMBER)
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(this.protocol, (stream, connection) => {
      this.receive(stream, connection).catch((err: Error) => {
        this.counts.refused++
        this.log('refused a message from %p - %e', connection.remotePeer, err)
        stream.abort(err)
      })
    }, { maxInboundStreams: MAX_INBOUND_STREAMS })
    this.components.swarms.addEventListener('swarm:peer-joined', this.onJoined)
    this.components.swarms.addEventListener('swarm:peer-left', this.onLeft)
    this.timer = setInterval(() => { this.tick() }, this.interval)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    this.components.swarms.removeEventListener('swarm:peer-joined', this.onJoined)
    this.components.swarms.removeEventListener('swarm:peer-left', this.onLeft)
    await this.components.registrar.unhandle(this.protocol)
  }

  stats (): PeerExchangeStats {
    return { ...this.counts }
  }

  /** Every interval: each peer of each swarm hears about the others; stale records go. */
  private tick (): void {
    const now = Date.now()
    this.recent.prune(now)
    for (const map of [this.lastSent, ...this.lastReceived.values()]) {
      for (const [key, at] of map) if (now - at > 2 * this.interval) map.delete(key)
    }
    for (const key of this.lastNamed.keys()) {
      const [contentId, peer] = key.split(' ')
      if (!this.recent.has(contentId, peer)) this.lastNamed.delete(key)
    }
    for (const [peer, swarms] of this.lastReceived) if (swarms.size === 0) this.lastReceived.delete(peer)
    for (const [peer, { at }] of this.addresses) if (now - at > ADDRESS_CACHE_MS) this.addresses.delete(peer)
    for (const swarm of this.components.swarms.list()) {
      for (const peer of swarm.peers) {
        this.recent.seen(swarm.contentId, peer)
        void this.send(swarm.contentId, peer)
      }
    }
  }

  /**
   * Tell `to` about the other peers of the swarm, unless we did within the interval or they are
   * the ones it was last told of (as BitTorrent's PEX, a steady swarm's peers hear nothing: in
   * a 17-node swarm the same lists every interval were hundreds of messages and thousands of
   * peer-store reads, a tenth of the swarm's time in the netns lab).
   */
  private async send (contentId: string, to: string): Promise<void> {
    const key = `${contentId} ${to}`
    if (Date.now() - (this.lastSent.get(key) ?? -Infinity) < this.interval) return
    const named = this.recent.list(contentId).filter(peer => peer !== to)
    const namedKey = [...named].sort().join(' ')
    if (named.length === 0 || this.lastNamed.get(key) === namedKey) return
    const peers = await this.candidates(named)
    if (peers.length === 0) return
    this.lastSent.set(key, Date.now())
    const signal = AbortSignal.timeout(this.timeout)
    try {
      const stream = await this.components.connectionManager.openStream(peerIdFromString(to), this.protocol, { signal })
      await lpStream(stream, { maxDataLength: MAX_MESSAGE_SIZE }).write(encodePex(contentId, peers), { signal })
      await stream.close({ signal })
      this.lastNamed.set(key, namedKey)
      this.counts.sent++
      this.log('told %s about %d peers of %s', to, peers.length, contentId)
    } catch (err) {
      this.log('no message to %s - %e', to, err)
    }
  }

  /** Of `named` (peers of the swarm now or lately), those whose addresses our peer store has. */
  private async candidates (named: string[]): Promise<PexPeerInfo[]> {
    const out: PexPeerInfo[] = []
    for (const peerId of named) {
      if (out.length >= MAX_PEERS) break
      const addrs = await this.addressesOf(peerId)
      if (addrs.length > 0) out.push({ peerId, addrs })
    }
    return out
  }

  private async addressesOf (peerId: string): Promise<Multiaddr[]> {
    const cached = this.addresses.get(peerId)
    if (cached !== undefined && Date.now() - cached.at <= ADDRESS_CACHE_MS) return cached.addrs
    const stored = await this.components.peerStore.get(peerIdFromString(peerId)).catch(() => undefined)
    const addrs = stored?.addresses.map(a => a.multiaddr) ?? []
    this.addresses.set(peerId, { at: Date.now(), addrs })
    return addrs
  }

  /** One message: capped before it is read, rate limited per peer and swarm, checked whole, then offered. */
  private async receive (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(this.timeout)
    const from = connection.remotePeer.toString()
    const bytes = await lpStream(stream, { maxDataLength: MAX_MESSAGE_SIZE }).read({ signal })
    const message = decodePex(bytes)
    const swarm = this.components.swarms.get(message.contentId)
    this.checkRate(from, swarm === undefined ? '' : message.contentId)
    await stream.close({ signal })
    this.counts.received++
    if (swarm?.state !== 'downloading') return
    const self = this.components.peerId.toString()
    for (const peer of message.peers) {
      if (peer.peerId === self || peer.peerId === from) continue
      if (!swarm.peers.includes(peer.peerId)) {
        // a peer we are connected to is reached over that connection and identify stored its
        // addresses: a merge would only let the sender add addresses of its choosing to that
        // record, and decode and encode it for nothing
        const id = peerIdFromString(peer.peerId)
        if (this.components.connectionManager.getConnections(id).length === 0) await this.components.peerStore.merge(id, { multiaddrs: peer.addrs })
        this.counts.learned++
      }
      // a peer already in the swarm too: the swarm hears that its peers tell it of its members
      this.components.swarms.offerPeer(message.contentId, peer.peerId)
    }
    this.log('%p told us about %d peers of %s', connection.remotePeer, message.peers.length, message.contentId)
  }

  /**
   * One message per peer and swarm per half interval. A peer holds one entry, however many
   * content ids it makes up; past MAX_RATE_ENTRIES peers, the one heard from longest ago is
   * forgotten (it may then send one message early), so nobody is ever refused for others' traffic.
   */
  private checkRate (from: string, swarmKey: string): void {
    const now = Date.now()
    const swarms = this.lastReceived.get(from) ?? new Map<string, number>()
    if (now - (swarms.get(swarmKey) ?? -Infinity) < this.interval / 2) throw new RateLimitedError('a second message too soon')
    swarms.set(swarmKey, now)
    this.lastReceived.delete(from) // re-inserted last: the map stays in order of last message
    this.lastReceived.set(from, swarms)
    if (this.lastReceived.size > MAX_RATE_ENTRIES) this.lastReceived.delete(this.lastReceived.keys().next().value as string)
  }
}
