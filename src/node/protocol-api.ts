/**
 * The protocol API: how a protocol module (built in, or named in the config's `protocols`)
 * is written. The libp2p service shape: `factory(init) => (components) => service`.
 * docs/protocols.md is the guide.
 */

import type { Libp2pComponents } from './libp2p.js'
import type { SwarmLookup } from '../core/wire.js'
import type { SwarmsView } from '../swarm/swarms-view.js'
import type { CID } from 'multiformats/cid'

/**
 * Trading pieces: what the piece-exchange and manifest-exchange protocols do. A module
 * that asks for it can attach a peer's wire to a swarm (`endpoint(contentId).attach(…)`,
 * after a piece-exchange handshake) and read the manifest bytes it serves to peers.
 */
export interface SwarmTrading extends SwarmLookup {
  /** The manifest bytes of a swarm held here (they hash to its content id), to serve a peer. */
  manifestBytes(contentId: CID): Uint8Array | undefined
}

/**
 * What a module may ask for beyond the read-only components, each a component of its own
 * under the same name. A module that does not ask has none of them.
 */
export interface ShoalCapabilities {
  trading: SwarmTrading
}

export type ShoalCapability = keyof ShoalCapabilities

/**
 * What every protocol module is given, built-in or not: libp2p's parts under their libp2p
 * names, Shoal's swarms read-only, and the capabilities it asked for.
 */
export interface ShoalComponents extends Libp2pComponents, Partial<ShoalCapabilities> {
  /** Shoal's swarms, read-only, with typed events. */
  swarms: SwarmsView
}

/** The components of a module that asked for the capabilities `K`: those are there. */
export type GrantedComponents<K extends ShoalCapability> = ShoalComponents & Pick<ShoalCapabilities, K>

/** A running protocol. `start()` runs once the node's libp2p is up; `stop()` on shutdown, in reverse order. */
export interface ShoalProtocolService {
  start?(): void | Promise<void>
  stop?(): void | Promise<void>
}

/**
 * `(components) => service`. Its `capabilities` property names what it asks for beyond the
 * read-only components (`['trading']` gives it `components.trading`); none when absent.
 */
export interface ShoalServiceFactory<Service extends ShoalProtocolService = ShoalProtocolService, K extends ShoalCapability = never> {
  (components: GrantedComponents<K>): Service
  readonly capabilities?: readonly K[]
}

/**
 * A protocol module's default export (or its named export `protocol`). `options` is the
 * config entry's `options` object, as written (JSON values only).
 */
export type ShoalProtocolFactory<Options = any, Service extends ShoalProtocolService = ShoalProtocolService> =
  (options: Options) => ShoalServiceFactory<Service, ShoalCapability>

/** One entry of the config's `protocols` list. */
export interface ProtocolModuleSpec {
  /** A path relative to the config file's folder (starting with ./ or ../), an absolute path or file URL, or an installed package's name. */
  module: string
  options?: Record<string, unknown>
}

/** A loaded protocol as `status()` lists it: its module and the protocol ids it handles. */
export interface LoadedProtocol {
  /** As written in the config; built-ins are named `shoal:<name>`. */
  module: string
  protocolIds: string[]
}
