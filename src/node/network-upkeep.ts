import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { IDENTITIES, NETWORK } from '../config/defaults.js'
import { Announcer } from '../discovery/announcer.js'
import { BootstrapKeeper } from '../discovery/bootstrap-keeper.js'
import { AddressGuard } from './address-guard.js'
import { LanDialer } from './lan-dialer.js'
import type { ShoalConfig } from '../config/schema.js'
import type { ShoalServices } from './libp2p.js'
import type { ComponentLogger, Libp2p, Logger } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

// the node's background work on the network, each built from the config and libp2p

/** Limits by remote address: connections held from one, and refusal of one whose peers keep getting banned. */
export function addressGuardOf (config: ShoalConfig, logger: ComponentLogger): AddressGuard {
  return new AddressGuard({
    maxConnectionsPerAddress: config.limits.maxConnectionsPerAddress,
    bansPerAddress: IDENTITIES.bansPerAddress,
    banWindowMs: IDENTITIES.banWindowMs,
    refusalMs: IDENTITIES.addressRefusalMs,
    maxTrackedAddresses: IDENTITIES.maxTrackedAddresses,
    log: logger.forComponent('shoal:addresses')
  })
}

/** The DHT announcements, when the node runs a DHT. */
export function announcerOf (libp2p: Libp2p<ShoalServices>, logger: ComponentLogger): Announcer | undefined {
  if (libp2p.services.dht === undefined) return undefined
  return new Announcer({ contentRouting: libp2p.contentRouting, peerCount: () => libp2p.getPeers().length, log: logger.forComponent('shoal:announcer') })
}

/** Dial the peers mDNS finds, when the node runs mDNS. */
export function lanDialerOf (libp2p: Libp2p<ShoalServices>, isBanned: (peer: string) => boolean, logger: ComponentLogger): LanDialer | undefined {
  const discovery = libp2p.services.mdns
  if (discovery === undefined) return undefined
  return new LanDialer({
    libp2p,
    discovery,
    isBanned,
    concurrency: NETWORK.lanDialConcurrency,
    timeoutMs: NETWORK.lanDialTimeout,
    retryAfterMs: NETWORK.lanRetryAfter,
    maxTracked: NETWORK.lanMaxTracked,
    log: logger.forComponent('shoal:lan')
  })
}

/** Redial bootstrap peers that are not connected (libp2p's bootstrap module dials once). */
export function keepBootstrapped (addresses: readonly string[], libp2p: Libp2p, log: Logger): BootstrapKeeper {
  const byPeer = bootstrapAddressesByPeer(addresses)
  return new BootstrapKeeper({
    peers: [...byPeer.keys()],
    isConnected: (peer) => libp2p.getConnections(peerIdFromString(peer)).length > 0,
    dial: async (peer, signal) => { await libp2p.dial(byPeer.get(peer) ?? [], { signal }) },
    log
  })
}

/** Each bootstrap address by the peer id it ends in (the last address of a peer named twice wins). */
export function bootstrapAddressesByPeer (addresses: readonly string[]): Map<string, Multiaddr> {
  return new Map(addresses.map(a => [multiaddr(a).getComponents().findLast(c => c.name === 'p2p')?.value ?? '', multiaddr(a)]))
}
