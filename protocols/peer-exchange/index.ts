/**
 * @packageDocumentation
 *
 * Peer exchange (PEX): the peers of a swarm tell each other about the swarm's other peers,
 * as BitTorrent's PEX does, so a node that met one peer of a swarm finds the rest without
 * the DHT. A Shoal protocol module: load it with
 * `"protocols": [{ "module": "…/peer-exchange/index.js" }]`. README.md beside this file
 * describes the wire and the limits.
 */

import { PROTOCOL_NAME, PROTOCOL_PREFIX, PROTOCOL_VERSION } from './constants.js'
import { PeerExchangeClass } from './peer-exchange.js'
import type { ShoalComponents, ShoalProtocolService } from '../../src/index.js'

export { PROTOCOL_NAME, PROTOCOL_VERSION, MAX_PEERS, MAX_MESSAGE_SIZE } from './constants.js'

/** The protocol id with the default prefix: what the node runs by default (`peerExchange.enabled`). */
export const PEER_EXCHANGE_PROTOCOL = `/${PROTOCOL_PREFIX}/${PROTOCOL_NAME}/${PROTOCOL_VERSION}`

export interface PeerExchangeInit {
  /** First segment of the protocol id `/<prefix>/pex/1.0.0`. @default 'shoal' */
  protocolPrefix?: string
  /**
   * ms between messages to one peer about one swarm (a newcomer gets one at once). A receiver
   * refuses messages from a peer about a swarm that come less than half of this apart. @default 30000
   */
  interval?: number
  /** ms a peer that left a swarm is still passed on. @default 600000 */
  remember?: number
  /** ms one exchange may take. @default 10000 */
  timeout?: number
}

/** What it uses of the node: its peer id, handlers, streams and the peer store of libp2p, a logger, and the swarms, read-only. */
export type PeerExchangeComponents = Pick<ShoalComponents, 'peerId' | 'registrar' | 'connectionManager' | 'peerStore' | 'logger' | 'swarms'>

export interface PeerExchangeStats {
  /** Messages sent and accepted. */
  sent: number
  received: number
  /** Messages refused: malformed, over a limit, or too soon after the last from that peer. */
  refused: number
  /** Peers offered to a swarm because a message named them. */
  learned: number
}

export interface PeerExchange extends ShoalProtocolService {
  readonly protocol: string
  stats(): PeerExchangeStats
}

export function peerExchange (init: PeerExchangeInit = {}): (components: PeerExchangeComponents) => PeerExchange {
  return (components) => new PeerExchangeClass(components, init)
}

export default peerExchange
