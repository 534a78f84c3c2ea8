/**
 * @packageDocumentation
 *
 * Piece exchange: the wire over which Shoal peers trade verified pieces of one content.
 * One stream per content per pair of peers; a handshake with each side's bitfield, then
 * have, request, cancel, reject and piece messages. SPEC.md beside this file is the spec.
 *
 * Written in the libp2p service shape, against the public protocol API that users' own
 * protocols use too: `pieceExchange(init)(components)` gives a service with `start()` and
 * `stop()`. It asks for the `trading` capability, to attach a peer's wire to a swarm.
 */

import { PieceExchangeClass } from './piece-exchange.js'
import type { PieceWire, ShoalServiceFactory, SwarmEndpoint, SwarmTrading } from '../../src/index.js'
import type { ComponentLogger, PeerId, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'

export { PROTOCOL_NAME, PROTOCOL_VERSION, MAX_FRAME_DATA, MAX_CONTROL_FRAME } from './constants.js'

/**
 * Where each setting's value comes from: a setting the node configures from its config file
 * (the handshake timeout) is required here, and its default lives in the node's config
 * (src/config/defaults.ts) only; the protocol's own caps and ids have their one value in
 * constants.ts, and an init field overriding one names that constant as its default.
 */
export interface PieceExchangeInit {
  /** First segment of the protocol id `/<prefix>/piece-exchange/2.0.0`. @default PROTOCOL_PREFIX */
  protocolPrefix?: string
  /** A handshake not answered within this many ms closes the stream. Set by the node from `timeouts.handshake`. */
  handshakeTimeout: number
  /** Concurrent inbound piece-exchange streams per connection (one per shared content). @default MAX_INBOUND_STREAMS */
  maxInboundStreams?: number
  /** Concurrent outbound piece-exchange streams per connection. @default MAX_OUTBOUND_STREAMS */
  maxOutboundStreams?: number
  /**
   * A peer broke the protocol on an inbound stream before any swarm took it (a bad or
   * oversized frame, garbage, a malformed handshake): the node decides on a ban. Breaches
   * after the handshake reach the swarm instead. @default none
   */
  onViolation?: (peerId: string, reason: string) => void
}

export interface PieceExchangeComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
  /** The `trading` capability: finds the swarm an inbound handshake names, to attach the peer to. */
  trading: Pick<SwarmTrading, 'endpoint'>
}

export interface PieceExchange extends Startable {
  readonly protocol: string
  /** Open a piece-exchange stream to `peer` for the endpoint's content and complete the handshake. */
  connect(peer: PeerId, endpoint: SwarmEndpoint, options?: { signal?: AbortSignal }): Promise<PieceWire>
}

export function pieceExchange (init: PieceExchangeInit): ShoalServiceFactory<PieceExchange, 'trading'> {
  const build = (components: PieceExchangeComponents): PieceExchange => new PieceExchangeClass(components, init)
  return Object.assign(build, { capabilities: ['trading'] as const })
}
