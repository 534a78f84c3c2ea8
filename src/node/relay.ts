import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import { isPrivate } from '@libp2p/utils'
import { RELAYING } from '../config/defaults.js'
import { isRelayed } from '../utils/open-stream.js'
import { sleep } from '../utils/sleep.js'
import type { ShoalConfig } from '../config/schema.js'
import type { CircuitRelayServerInit } from '@libp2p/circuit-relay-v2'
import type { ComponentLogger, IdentifyResult, Libp2pEvents, Logger, PeerId, Startable, TypedEventTarget } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, TransportManager } from '@libp2p/interface-internal'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * The circuit relay server's settings from the config's `relay`. A limit of 0 is no limit:
 * with both 0 the relay applies none (a private swarm's relay carries whole transfers);
 * with one set, the other is made too large to matter (libp2p applies both or neither).
 */
export function relayServerInit (relay: ShoalConfig['relay']): CircuitRelayServerInit {
  const limited = relay.dataLimit > 0 || relay.durationLimit > 0
  return {
    reservations: {
      maxReservations: relay.maxReservations,
      applyDefaultLimit: limited,
      ...(limited
        ? {
            defaultDataLimit: relay.dataLimit > 0 ? BigInt(relay.dataLimit) : RELAYING.unlimitedData,
            defaultDurationLimit: relay.durationLimit > 0 ? relay.durationLimit : RELAYING.unlimitedDuration
          }
        : {})
    }
  }
}

export interface RelayReachComponents {
  events: TypedEventTarget<Libp2pEvents>
  transportManager: TransportManager
  addressManager: AddressManager
  connectionManager: ConnectionManager
  logger: ComponentLogger
}

export interface RelayReachInit {
  /** This node is a relay itself: it reserves on no other. */
  server: boolean
}

/**
 * How a node behind a NAT is reached, and how it stops needing the relay:
 * - when a peer it is directly connected to offers relaying (identify names the hop
 *   protocol: a bootstrap peer, or one met through the DHT) and this node has no confirmed
 *   public address, it reserves a slot there (up to RELAYING.maxRelays relays) and the
 *   relayed address joins the node's advertised ones.
 * - a relayed connection is upgraded by a dial back: once identify on it names the peer's own
 *   addresses, this node dials them; if that connects, the relayed connection is closed.
 *   DCUtR does the same for public addresses only; this covers a LAN or a lab, and a peer
 *   behind a NAT dialling a public one.
 */
export class RelayReach implements Startable {
  private readonly log: Logger
  /** Relays we listen through (or are reserving on). */
  private readonly relays = new Set<string>()
  private stopped = new AbortController()
  private readonly dialingBack = new Set<string>()
  private readonly onIdentify = (event: CustomEvent<IdentifyResult>): void => { this.identified(event.detail) }
  /** A relay that went away may be reserved on again when it is back. */
  private readonly onDisconnect = (event: CustomEvent<PeerId>): void => { this.relays.delete(event.detail.toString()) }

  constructor (private readonly components: RelayReachComponents, private readonly init: RelayReachInit) {
    this.log = components.logger.forComponent('shoal:relay-reach')
  }

  readonly [Symbol.toStringTag] = 'shoal:relay-reach'

  start (): void {
    this.stopped = new AbortController()
    this.components.events.addEventListener('peer:identify', this.onIdentify)
    this.components.events.addEventListener('peer:disconnect', this.onDisconnect)
  }

  stop (): void {
    this.stopped.abort()
    this.components.events.removeEventListener('peer:identify', this.onIdentify)
    this.components.events.removeEventListener('peer:disconnect', this.onDisconnect)
  }

  private identified (result: IdentifyResult): void {
    if (isRelayed(result.connection)) this.dialBack(result)
    else if (result.protocols.includes(RELAY_V2_HOP_CODEC)) this.reserve(result)
  }

  /**
   * Listen through this relay (`<relay address>/p2p-circuit`): circuit-relay-v2 reserves a slot
   * on it and advertises the relayed address. Not `/p2p-circuit` alone: that search walks the
   * DHT for relays, a loop that held the event loop in a lab with no public DHT.
   */
  private reserve (result: IdentifyResult): void {
    const relay = result.peerId.toString()
    if (this.init.server || this.relays.has(relay) || this.relays.size >= RELAYING.maxRelays || this.isPublic()) return
    this.relays.add(relay)
    const address = result.connection.remoteAddr
    const listen = (address.getComponents().some(c => c.name === 'p2p') ? address : address.encapsulate(`/p2p/${relay}`)).encapsulate('/p2p-circuit')
    this.log('no public address confirmed: reserving a slot on relay %a', listen)
    void this.listenThrough(listen).then(listening => { if (!listening) this.relays.delete(relay) })
  }

  /**
   * transportManager.listen on a relayed address, tried a few times: circuit-relay-v2's own
   * topology sees the same relay at the same moment and queues a "discovered" reservation
   * that our listen joins and that fails (HadEnoughRelaysError) because nobody searched.
   */
  private async listenThrough (listen: Multiaddr): Promise<boolean> {
    for (let attempt = 1; attempt <= RELAYING.reserveAttempts; attempt++) {
      try {
        await this.components.transportManager.listen([listen])
        return true
      } catch (err) {
        this.log('reservation on %a failed (attempt %d) - %e', listen, attempt, err)
      }
      await sleep(RELAYING.reserveRetry, this.stopped.signal).catch(() => {})
      if (this.stopped.signal.aborted) return false
    }
    this.log.error('could not reserve a slot through %a', listen)
    return false
  }

  /** Whether a confirmed address of ours is a public one (not a relay's). */
  private isPublic (): boolean {
    return this.components.addressManager.getAddressesWithMetadata()
      .some(a => a.verified && !a.multiaddr.toString().includes('/p2p-circuit') && isPublicIp(a.multiaddr))
  }

  private dialBack (result: IdentifyResult): void {
    const peer = result.peerId.toString()
    const direct = result.listenAddrs.filter(a => !a.toString().includes('/p2p-circuit'))
    if (direct.length === 0 || this.dialingBack.has(peer)) return
    this.dialingBack.add(peer)
    void this.upgrade(result, direct).finally(() => this.dialingBack.delete(peer))
  }

  private async upgrade (result: IdentifyResult, direct: Multiaddr[]): Promise<void> {
    const { connectionManager } = this.components
    try {
      const signal = AbortSignal.timeout(RELAYING.dialBackTimeout)
      const id = result.peerId.toString()
      const addresses = direct.map(a => a.getComponents().some(c => c.name === 'p2p') ? a : a.encapsulate(`/p2p/${id}`))
      const connection = connectionManager.getConnections(result.peerId).find(c => !isRelayed(c) && c.status === 'open') ??
        await connectionManager.openConnection(addresses, { signal, force: true })
      if (isRelayed(connection)) return
      this.log('%p reached directly at %a: closing the relayed connection', result.peerId, connection.remoteAddr)
      await result.connection.close({ signal }).catch(err => { result.connection.abort(err) })
    } catch (err) {
      this.log('%p stays relayed: no direct connection - %e', result.peerId, err)
    }
  }
}

function isPublicIp (address: Multiaddr): boolean {
  try {
    return isPrivate(address) === false
  } catch {
    return false
  }
}

/** The node's relay reach as a libp2p service. */
export function relayReach (init: RelayReachInit): (components: RelayReachComponents) => RelayReach {
  return (components) => new RelayReach(components, init)
}
