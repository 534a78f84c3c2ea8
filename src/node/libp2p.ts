import { yamux } from '@chainsafe/libp2p-yamux'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { prometheusMetrics } from '@libp2p/prometheus-metrics'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { IDENTITIES, NETWORK, START } from '../config/defaults.js'
import { withoutKeepAlive } from './dht-peer-store.js'
import { boundProviderRecords, withStores } from './dht-store.js'
import { noiseEncrypter } from './noise-encrypter.js'
import { protocolHost } from './protocol-host.js'
import { relayReach, relayServerInit } from './relay.js'
import type { RelayReach } from './relay.js'
import type { ProtocolHost } from './protocol-host.js'
import type { ShoalConfig } from '../config/schema.js'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Identify } from '@libp2p/identify'
import type { KadDHT, KadDHTComponents } from '@libp2p/kad-dht'
import type { Ping } from '@libp2p/ping'
import type { uPnPNAT } from '@libp2p/upnp-nat'
import type { PeerDiscovery } from '@libp2p/interface'
import type { ComponentLogger, ConnectionGater, Libp2p, PeerId, PeerStore, PrivateKey, TypedEventTarget, Libp2pEvents } from '@libp2p/interface'
import type { AddressManager, ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { AddressInfo } from './reachability.js'
import type { Registry } from 'prom-client'

/** The libp2p parts that Shoal's protocols (and users' protocols) are given, under libp2p's names. */
export interface Libp2pComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  peerStore: PeerStore
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

/** The address manager's view of our addresses, reached as a service (libp2p keeps its components to itself). */
export interface OwnAddresses {
  list(): AddressInfo[]
}

/** libp2p's services on a Shoal node (`libp2p.services`). A type, not an interface: libp2p's ServiceMap is an index type. */
export type ShoalServices = {
  identify: Identify
  ping: Ping
  dht?: KadDHT
  /** LAN discovery (`mdns.enabled`): a service, so the node hears whom it found and dials them. */
  mdns?: PeerDiscovery
  /** Tells the address manager which of our addresses others can dial back. */
  autoNAT: unknown
  /** Router port mapping (`nat.upnp`). */
  upnp?: unknown
  /** Our addresses with libp2p's verdict on each (what `status` projects reachability from). */
  addresses: OwnAddresses
  /** Present when the config's `relay.server` is on. */
  relay?: CircuitRelayService
  dcutr: unknown
  relayReach: RelayReach
  /** Shoal's protocols, built-in and the config's modules. */
  protocols: ProtocolHost
}

export interface BuildLibp2pOptions {
  config: ShoalConfig
  privateKey: PrivateKey
  psk?: Uint8Array
  connectionGater: ConnectionGater
  logger?: ComponentLogger
  /** The node's own Prometheus registry, for libp2p's metrics. */
  metricsRegistry: Registry
}

/**
 * The libp2p node Shoal runs on: TCP, Noise, Yamux, identify and ping, mDNS, AutoNAT, UPnP
 * when asked, Kademlia under
 * Shoal's own protocol id in server mode keeping private addresses (so loopback and LAN
 * swarms work), bootstrap peers, and a pre-shared key when the swarm is private; circuit
 * relay v2 (a server when `relay.server`, a client always) with DCUtR and a dial back.
 */
export async function buildLibp2p (options: BuildLibp2pOptions): Promise<Libp2p<ShoalServices>> {
  const { config } = options
  const dht = config.dht.enabled ? { dht: boundedKadDHT(config.dht.protocol) } : {}
  const relay = config.relay.server ? { relay: circuitRelayServer(relayServerInit(config.relay)) } : {}
  return await createLibp2p<ShoalServices>({
    privateKey: options.privateKey,
    addresses: { listen: [...config.listen] },
    // the relay transport dials relayed addresses, and listens through a relay once
    // relayReach finds one (a node behind a NAT)
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noiseEncrypter()],
    streamMuxers: [yamux()],
    ...(options.psk === undefined ? {} : { connectionProtector: preSharedKey({ psk: options.psk }) }),
    connectionGater: options.connectionGater,
    // (limits.maxConnectionsPerAddress is enforced by the gater, which knows each connection's address)
    connectionManager: {
      maxConnections: config.limits.maxConnections,
      inboundConnectionThreshold: config.limits.inboundConnectionRate,
      maxIncomingPendingConnections: config.limits.maxPendingConnections
    },
    connectionMonitor: { pingInterval: NETWORK.connectionPingInterval },
    peerDiscovery: config.bootstrap.length > 0 ? [bootstrap({ list: [...config.bootstrap], timeout: 0, tagTTL: 2_147_483_647 })] : [],
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    // into the node's own registry (several nodes in one process keep their own numbers);
    // the process metrics are registered once per process, by node/metrics.ts
    metrics: prometheusMetrics({ registry: options.metricsRegistry, collectDefaultMetrics: false, statfsLocation: config.dataDir }),
    services: {
      identify: identify(),
      ping: ping(),
      ...dht,
      ...await reachServices(config),
      ...relay,
      dcutr: dcutr(),
      relayReach: relayReach({ server: config.relay.server }),
      protocols: protocolHost()
    },
    start: false
  })
}

/**
 * mDNS when `mdns.enabled`, AutoNAT v2 always (it answers others too), UPnP only when
 * `nat.upnp` (loaded only then: its module costs a start half a second).
 */
async function reachServices (config: ShoalConfig): Promise<{ mdns?: ReturnType<typeof mdns>, autoNAT: ReturnType<typeof autoNATv2>, upnp?: ReturnType<typeof uPnPNAT>, addresses: (components: { addressManager: AddressManager }) => OwnAddresses }> {
  return {
    ...(config.mdns.enabled ? { mdns: mdns() } : {}),
    autoNAT: autoNATv2(),
    addresses: (components) => ({ list: () => components.addressManager.getAddressesWithMetadata() }),
    ...(config.nat.upnp ? { upnp: (await import('@libp2p/upnp-nat')).uPnPNAT() } : {})
  }
}

/**
 * Kademlia under Shoal's own protocol id, in server mode, keeping private addresses; with
 * its provider records bounded (kad-dht keeps every one it is sent), its close peers not
 * kept alive (see withoutKeepAlive) and fewer concurrent inbound streams per connection than
 * its 32, each of which may hold a 4 MiB message.
 */
function boundedKadDHT (protocol: string): (components: KadDHTComponents) => KadDHT {
  const dht = kadDHT({
    protocol,
    clientMode: false,
    peerInfoMapper: passthroughMapper,
    allowQueryWithZeroPeers: true,
    maxInboundStreams: IDENTITIES.dhtInboundStreams,
    // a start does not walk the DHT at once: in a crowd starting together every walk dials
    // every node; the bootstrap peers and identify fill the routing table meanwhile
    initialQuerySelfInterval: START.dhtSelfQueryDelay + Math.random() * START.dhtSelfQueryJitter
  })
  const limits = { maxRecords: IDENTITIES.maxProviderRecords, maxPerKey: IDENTITIES.maxProvidersPerKey }
  return (components) => dht(withStores(components, {
    datastore: boundProviderRecords(components.datastore, limits),
    peerStore: withoutKeepAlive(components.peerStore)
  }))
}
