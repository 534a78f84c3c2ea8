import { peerIdFromString } from '@libp2p/peer-id'
import { addConnectionDetails, dhtRoutingTableSize } from './peer-connections.js'
import { connectionKindOf, reachabilityOf } from './reachability.js'
import type { Ban } from './bans.js'
import type { ShoalServices } from './libp2p.js'
import type { NodeStatus } from './node-types.js'
import type { LoadedProtocol } from './protocol-api.js'
import type { SwarmStatus } from '../swarm/types.js'
import type { Libp2p } from '@libp2p/interface'

/** What the node knows beyond libp2p, for its status. */
export interface NodeFacts {
  /** The swarms' status, as the swarm layer projects it (with `peerDetails` for `peers`). */
  swarms: SwarmStatus[]
  bans: Ban[]
  protocols: LoadedProtocol[]
  /** Short fingerprint of the swarm key, for a private swarm. */
  swarmKeyFingerprint?: string
  /** The gateway's base URL, while the node runs. */
  gatewayUrl?: string
  /** `nat.upnp`: only then are mapped addresses shown. */
  upnp: boolean
}

/**
 * The node's status (`status --json`): libp2p's side (addresses, connections, DHT, reachability)
 * and the node's facts; with `peers`, each listed peer's link as libp2p knows it.
 */
export function nodeStatus (libp2p: Libp2p<ShoalServices>, facts: NodeFacts, options: { peers?: boolean } = {}, now = Date.now()): NodeStatus {
  return {
    peerId: libp2p.peerId.toString(),
    addresses: libp2p.getMultiaddrs().map(a => a.toString()),
    ...(facts.swarmKeyFingerprint === undefined ? {} : { swarmKey: facts.swarmKeyFingerprint }),
    connections: libp2p.getConnections().length,
    dhtRoutingTableSize: dhtRoutingTableSize(libp2p),
    ...reachability(libp2p, facts.upnp, now),
    swarms: withConnectionKinds(options.peers === true ? addConnectionDetails(facts.swarms, libp2p) : facts.swarms, libp2p),
    bans: facts.bans,
    protocols: facts.protocols,
    ...(facts.gatewayUrl === undefined ? {} : { gatewayUrl: facts.gatewayUrl })
  }
}

function reachability (libp2p: Libp2p<ShoalServices>, upnp: boolean, now: number): Pick<NodeStatus, 'reachability' | 'confirmedAddresses' | 'mappedAddresses'> {
  const { reachability, confirmedAddresses, mappedAddresses } = reachabilityOf(libp2p.services.addresses.list(), now)
  return { reachability, confirmedAddresses, ...(upnp ? { mappedAddresses } : {}) }
}

/** Each peer's `connection`, from its libp2p connections (the swarms know peers, not links). */
function withConnectionKinds (swarms: SwarmStatus[], libp2p: Libp2p): SwarmStatus[] {
  for (const swarm of swarms) {
    for (const peer of swarm.peerDetails ?? []) {
      const kind = connectionKindOf(libp2p.getConnections(peerIdFromString(peer.peerId)))
      if (kind !== undefined) peer.connection = kind
    }
  }
  return swarms
}
