/**
 * @packageDocumentation
 *
 * Shoal: a peer-to-peer content-distribution node on js-libp2p. Add a file or folder, get it
 * anywhere by its content id, every piece verified against its hash.
 *
 * @example
 * ```ts
 * import { createNode, loadConfig } from 'shoal'
 * const node = await createNode(await loadConfig('config/default.json'))
 * const { contentId } = await node.add('./photos')
 * await other.get(contentId, { output: './photos-copy', onProgress: e => console.log(e.type) })
 * ```
 */

export { createNode } from './node/shoal-node.js'
export type { ShoalNode, NodeStatus, CreateNodeOptions } from './node/shoal-node.js'
export type { ConnectedPeer } from './node/connect.js'
export { loadConfig, resolveConfig, DEFAULTS } from './config/index.js'
export type { ShoalConfig, ConfigInput } from './config/index.js'
export type { AddOptions, AddResult, CancelOptions, CancelResult, GetOptions, GetProgressEvent, PeerStatus, SwarmStatus } from './swarm/types.js'
export type { DialFailure, ManifestAnswer, NetworkConnectivity, SearchReport } from './swarm/types.js'
export { generateSwarmKey } from './node/swarm-key.js'
export type { ShoalComponents, ShoalProtocolFactory, ShoalProtocolService, ShoalServiceFactory, ShoalCapabilities, ShoalCapability, GrantedComponents, SwarmTrading, ProtocolModuleSpec, LoadedProtocol } from './node/protocol-api.js'
export type { PieceWire, PieceWireHandler, SwarmEndpoint, SwarmLookup, RejectReason, Pacing, ReadWatch } from './core/wire.js'
export { parseContentId, contentIdOf, matchesContentId } from './core/content-id.js'
export { encodeTicket, decodeTicket, looksLikeTicket, TICKET_PREFIX } from './core/ticket.js'
export type { Ticket, TicketLimits } from './core/ticket.js'
/** The limits `shoal ticket` and `shoal get` use, for encodeTicket and decodeTicket. */
export { TICKET } from './config/defaults.js'
export type { Reachability, ConnectionKind } from './node/reachability.js'
export type { Libp2pComponents } from './node/libp2p.js'
export type { SwarmsView, SwarmInfo, SwarmEventListener } from './swarm/swarms-view.js'
export type { SwarmEvents, SwarmOpenedEvent, SwarmPeerEvent, SwarmPieceEvent } from './swarm/events.js'
export type { SwarmState } from './swarm/swarm.js'
export type { Manifest, ManifestFile } from './core/manifest.js'
export * from './errors.js'
