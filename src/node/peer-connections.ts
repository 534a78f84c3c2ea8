import { peerIdFromString } from '@libp2p/peer-id'
import type { ShoalServices } from './libp2p.js'
import type { SwarmStatus } from '../swarm/types.js'
import type { Libp2p } from '@libp2p/interface'

/**
 * Each listed peer's connection as the dashboard and `status --peers` show it: who dialled
 * and the remote address. The swarm layer knows peers by id only; libp2p knows the links.
 */
export function addConnectionDetails (swarms: SwarmStatus[], libp2p: Libp2p): SwarmStatus[] {
  for (const swarm of swarms) {
    for (const peer of swarm.peerDetails ?? []) {
      let connection
      try {
        connection = libp2p.getConnections(peerIdFromString(peer.peerId))[0]
      } catch {
        continue
      }
      if (connection === undefined) continue
      peer.direction = connection.direction
      peer.remoteAddress = connection.remoteAddr.decapsulateCode(421).toString()
    }
  }
  return swarms
}

/** Peers in the DHT's routing table (0 without a DHT). */
export function dhtRoutingTableSize (libp2p: Libp2p<ShoalServices>): number {
  const dht = libp2p.services.dht as { routingTable?: { size?: number } } | undefined
  return typeof dht?.routingTable?.size === 'number' ? dht.routingTable.size : 0
}
