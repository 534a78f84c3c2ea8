/**
 * The protocol API: how a protocol module (built in, or named in the config's `protocols`)
 * is written. The libp2p service shape: `factory(options) => (components) => service`.
 * docs/protocols.md is the guide.
 */

import type { Libp2pComponents } from './libp2p.js'
import type { SwarmsView } from '../swarm/swarms-view.js'

/** What every protocol module is given: libp2p's parts under their libp2p names, and Shoal's swarms. */
export interface ShoalComponents extends Libp2pComponents {
  /** Shoal's swarms, read-only, with typed events. */
  swarms: SwarmsView
}

/** A running protocol. `start()` runs once the node's libp2p is up; `stop()` on shutdown, in reverse order. */
export interface ShoalProtocolService {
  start?(): void | Promise<void>
  stop?(): void | Promise<void>
}

/**
 * A protocol module's default export (or its named export `protocol`). `options` is the
 * config entry's `options` object, as written (JSON values only).
 */
export type ShoalProtocolFactory<Options = any, Service extends ShoalProtocolService = ShoalProtocolService> =
  (options: Options) => (components: ShoalComponents) => Service

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
