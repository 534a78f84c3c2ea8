/**
 * @packageDocumentation
 *
 * Manifest exchange: a node that knows only a content id asks a peer for the manifest it
 * names, and accepts the bytes only if they hash to that id. SPEC.md beside this file is
 * the spec. Written in the libp2p service shape, against the public protocol API:
 * `manifestExchange(init)(components)`. It asks for the `trading` capability, to read the
 * manifest bytes it serves.
 */

import { ManifestExchangeClass } from './manifest-exchange.js'
import type { ShoalServiceFactory, SwarmTrading } from '../../src/index.js'
import type { ComponentLogger, PeerId, Startable } from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { CID } from 'multiformats/cid'

export { PROTOCOL_NAME, PROTOCOL_VERSION } from './constants.js'

/**
 * Where each setting's value comes from: a setting the node configures from its config file
 * (the manifest size cap) is required here, and its default lives in the node's config
 * (src/config/defaults.ts) only; the protocol's own limits and ids have their one value in
 * constants.ts, and an init field overriding one names that constant as its default.
 */
export interface ManifestExchangeInit {
  /** First segment of the protocol id `/<prefix>/manifest-exchange/1.0.0`. @default PROTOCOL_PREFIX */
  protocolPrefix?: string
  /** Largest manifest accepted, in bytes; a peer offering more is refused before any allocation. Set by the node from `limits.maxManifestSize`. */
  maxManifestSize: number
  /** Whole-exchange deadline in ms, both when asking and when answering. @default DEFAULT_TIMEOUT */
  timeout?: number
  /** ms from our request to the peer's Response. @default FIRST_BYTE_TIMEOUT */
  firstByteTimeout?: number
  /** Bytes a second the manifest must keep coming at once the Response is in. @default MIN_RATE */
  minRate?: number
}

export interface ManifestExchangeComponents {
  registrar: Registrar
  connectionManager: ConnectionManager
  logger: ComponentLogger
  /** The `trading` capability: the manifests this node can hand out. */
  trading: Pick<SwarmTrading, 'manifestBytes'>
}

export interface ManifestExchange extends Startable {
  readonly protocol: string
  /**
   * Ask `peer` for the manifest of `cid`; resolves only to bytes that hash to `cid`. A peer
   * that does not answer within `firstByteTimeout`, or sends slower than `minRate`, fails
   * it with PeerStalledError.
   */
  fetch(peer: PeerId, cid: CID, options?: { signal?: AbortSignal }): Promise<Uint8Array>
}

export function manifestExchange (init: ManifestExchangeInit): ShoalServiceFactory<ManifestExchange, 'trading'> {
  const build = (components: ManifestExchangeComponents): ManifestExchange => new ManifestExchangeClass(components, init)
  return Object.assign(build, { capabilities: ['trading'] as const })
}
