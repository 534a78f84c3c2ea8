import type { ShoalConfig } from '../config/schema.js'
import type { AddOptions, AddResult, CancelOptions, CancelResult, GetOptions, SwarmStatus } from '../swarm/types.js'
import type { Ban } from './bans.js'
import type { ConnectedPeer } from './connect.js'
import type { ShoalServices } from './libp2p.js'
import type { LoadedProtocol, ShoalProtocolService } from './protocol-api.js'
import type { Reachability } from './reachability.js'
import type { ComponentLogger, Libp2p } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

// what a node is to its users (the CLI through the API, the library's callers): its options, its methods, its status

export interface NodeStatus {
  peerId: string
  /** Listen addresses, each ending in /p2p/<peer id>. */
  addresses: string[]
  /** Short fingerprint of the swarm key when the swarm is private. */
  swarmKey?: string
  connections: number
  /** Peers in the DHT's routing table (0 without a DHT). */
  dhtRoutingTableSize?: number
  /** Whether others can dial this node, as AutoNAT found (`unknown` until it has tried a public address). */
  reachability: Reachability
  /** Public addresses confirmed dialable. */
  confirmedAddresses: string[]
  /** Addresses the router mapped by UPnP; only with `nat.upnp`. */
  mappedAddresses?: string[]
  swarms: SwarmStatus[]
  bans: Ban[]
  /**
   * Every protocol the node runs, in start order, with the protocol ids it handles: the
   * built-ins first (named `shoal:piece-exchange`, `shoal:manifest-exchange`), then the
   * config's `protocols` modules, named as written there.
   */
  protocols: LoadedProtocol[]
  /** The HTTP gateway's base URL: content at `{gatewayUrl}/content/<cid>[/<path>]`. */
  gatewayUrl?: string
}

export interface CreateNodeOptions {
  /** libp2p's logger (debug-style, enabled with DEBUG=shoal*,libp2p*). */
  logger?: ComponentLogger
  /** Start right away. @default true */
  start?: boolean
  /**
   * Folder that relative `protocols[].module` paths (and package names) resolve from.
   * @default the config file's folder, or the working directory for a config given in code
   */
  protocolBaseDir?: string
  /** One-line notices for the user (the CLI prints them), e.g. a stale lock of a killed node taken over. */
  onNotice?: (message: string) => void
}

/** A running Shoal node: the same object the CLI drives through the control API. */
export interface ShoalNode {
  readonly config: ShoalConfig
  readonly peerId: string
  readonly libp2p: Libp2p<ShoalServices>
  start(): Promise<void>
  addresses(): string[]
  /** Hash a file or folder, seed it in place, announce it; resolves with its content id. */
  add(path: string, options?: AddOptions): Promise<AddResult>
  /**
   * Fetch content by id (text, or a parsed CID) into `options.output`; resolves once it is
   * complete and verified. Relative paths resolve against the working directory.
   */
  get(contentId: string | CID, options: GetOptions): Promise<string>
  /**
   * Stop the swarm of a content id (downloading or seeding) and forget it; a get waiting on it
   * fails with CancelledError. A download's files stay (or with `remove` are deleted); added
   * files always stay. UnknownContentError if there is no such swarm.
   */
  cancel(contentId: string | CID, options?: CancelOptions): Promise<CancelResult>
  /**
   * Change which files a download fetches while it runs: exactly the files and folders `only`
   * names (paths within the content), or every file (undefined). Resolves with the selection
   * now (undefined: every file). UnknownPathError for a path that names nothing.
   */
  select(contentId: string | CID, only: readonly string[] | undefined): Promise<string[] | undefined>
  /** The node and its swarms; with `peers`, every swarm's peers in detail; with `files`, every file's progress. */
  status(options?: { peers?: boolean, files?: boolean }): NodeStatus
  /** A swarm's pieces, one byte each: state and availability (core/piece-map); undefined for unknown content. */
  pieceMap(contentId: string): Uint8Array | undefined
  /**
   * Dial a peer by a multiaddr ending in /p2p/<peer id> (trusted as a bootstrap address is);
   * resolves with the peer id and the address reached, or rejects with a ConnectError saying why.
   */
  connect(address: string, options?: { signal?: AbortSignal }): Promise<ConnectedPeer>
  /** The node's metrics (`shoal_`, `libp2p_`, the process's) in Prometheus' text format. */
  metrics(): Promise<string>
  /** The service of a protocol module loaded from the config, by its `module` as written there. */
  protocol<T = ShoalProtocolService>(module: string): T | undefined
  stop(): Promise<void>
}
