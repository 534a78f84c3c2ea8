import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { dirname, join } from 'node:path'
import { Registry } from 'prom-client'
import { GatewayServer } from '../api/gateway.js'
import { manifestExchange } from '../../protocols/manifest-exchange/index.js'
import { pieceExchange } from '../../protocols/piece-exchange/index.js'
import { preparePrivateDataDir } from '../config/data-dir.js'
import { GATEWAY, IDENTITIES, NETWORK } from '../config/defaults.js'
import { resolveConfig } from '../config/load.js'
import { parseContentId } from '../core/content-id.js'
import { Announcer } from '../discovery/announcer.js'
import { BootstrapKeeper } from '../discovery/bootstrap-keeper.js'
import { NodeStoppedError } from '../errors.js'
import { fsStorage } from '../storage/fs-storage.js'
import { resolveOutput } from '../swarm/output.js'
import { FileSwarmRecords } from '../swarm/records.js'
import { SwarmRegistry } from '../swarm/registry.js'
import { ContentStreams } from '../swarm/streams.js'
import { Swarms } from '../swarm/swarms.js'
import { RegistryView } from '../swarm/swarms-view.js'
import { rateLimit } from '../utils/token-bucket.js'
import { AddressGuard } from './address-guard.js'
import { BanList, banFilePath } from './bans.js'
import { connectToPeer } from './connect.js'
import { lockNodeDataDir } from './data-dir-lock.js'
import { localDialFilter, withLocalDialFilter } from './dial-policy.js'
import { loadOrCreateIdentity } from './identity.js'
import { buildLibp2p } from './libp2p.js'
import { LanDialer } from './lan-dialer.js'
import { explainApiListenFailure, explainListenFailure } from './listen-errors.js'
import { connectionKindOf, reachabilityOf } from './reachability.js'
import { NodeMetrics } from './metrics.js'
import { tradingOf } from './module-components.js'
import { Libp2pNetwork } from './network.js'
import { addConnectionDetails, dhtRoutingTableSize } from './peer-connections.js'
import { importProtocolFactory } from './protocol-loader.js'
import { readSwarmKey } from './swarm-key.js'
import type { ConfigInput, ShoalConfig } from '../config/schema.js'
import type { Ban } from './bans.js'
import type { DataDirLock } from './data-dir-lock.js'
import type { LocalDialFilter } from './dial-policy.js'
import type { ConnectedPeer } from './connect.js'
import type { Reachability } from './reachability.js'
import type { ShoalServices } from './libp2p.js'
import type { LoadedProtocol, ShoalProtocolService } from './protocol-api.js'
import type { ProtocolHost, SwarmComponents } from './protocol-host.js'
import type { AddOptions, AddResult, CancelOptions, CancelResult, GetOptions, SwarmStatus } from '../swarm/types.js'
import type { ComponentLogger, Libp2p, Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

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

/** Build (and by default start) a node from a config file's contents or a loaded config. */
export async function createNode (config: ShoalConfig | ConfigInput, options: CreateNodeOptions = {}): Promise<ShoalNode> {
  const resolved = isResolved(config) ? config : resolveConfig(config)
  const logger = options.logger ?? defaultLogger()
  // the lock comes before anything is written in dataDir: a second node must not touch the first's files
  const lock = await lockNodeDataDir(resolved, logger.forComponent('shoal:node'), options.onNotice)
  try {
    return await buildNode(resolved, lock, logger, options)
  } catch (err) {
    await lock.release().catch(() => {})
    throw err
  }
}

async function buildNode (resolved: ShoalConfig, lock: DataDirLock, logger: ComponentLogger, options: CreateNodeOptions): Promise<ShoalNode> {
  await preparePrivateDataDir(resolved.dataDir, (message) => { logger.forComponent('shoal:node').error(message) })
  const privateKey = await loadOrCreateIdentity(resolved.dataDir)
  const swarmKey = resolved.swarmKey === undefined ? undefined : await readSwarmKey(resolved.swarmKey)
  const bans = await BanList.open({ durationMs: resolved.limits.banDuration, path: banFilePath(resolved.dataDir), maxBans: IDENTITIES.maxBans, saveDelayMs: IDENTITIES.banSaveDelay, log: logger.forComponent('shoal:bans') })
  const addresses = addressGuard(resolved, logger)
  // loopback and link-local addresses named by peers are not dialled unless the node lives there too
  const dialFilter = localDialFilter({ listen: resolved.listen, dialLocalAddresses: resolved.dialLocalAddresses, trusted: resolved.bootstrap })
  const connectionGater = withLocalDialFilter({ ...bans.gater(), ...addresses.gater() }, dialFilter)
  const metricsRegistry = new Registry()
  const libp2p = await buildLibp2p({ config: resolved, privateKey, psk: swarmKey?.psk, connectionGater, logger, metricsRegistry })
  const protocolBaseDir = options.protocolBaseDir ?? (resolved.configPath === undefined ? process.cwd() : dirname(resolved.configPath))
  const node = new Node(resolved, libp2p, { bans, addresses, lock, dialFilter, metricsRegistry }, logger, protocolBaseDir, swarmKey?.fingerprint)
  if (options.start !== false) {
    try {
      await node.start()
    } catch (err) {
      await node.stop().catch(() => {})
      throw explainListenFailure(err, resolved)
    }
  }
  return node
}


/** Limits by remote address: connections held from one, and refusal of one whose peers keep getting banned. */
function addressGuard (config: ShoalConfig, logger: ComponentLogger): AddressGuard {
  return new AddressGuard({
    maxConnectionsPerAddress: config.limits.maxConnectionsPerAddress,
    bansPerAddress: IDENTITIES.bansPerAddress,
    banWindowMs: IDENTITIES.banWindowMs,
    refusalMs: IDENTITIES.addressRefusalMs,
    maxTrackedAddresses: IDENTITIES.maxTrackedAddresses,
    log: logger.forComponent('shoal:addresses')
  })
}

function isResolved (config: ShoalConfig | ConfigInput): config is ShoalConfig {
  return Object.isFrozen(config)
}

class Node implements ShoalNode {
  readonly config: ShoalConfig
  readonly libp2p: Libp2p<ShoalServices>
  private readonly log: Logger
  private readonly bans: BanList
  private readonly lock: DataDirLock
  private readonly dialFilter: LocalDialFilter
  private readonly addressGuard: AddressGuard
  /** The swarms by content id: what the protocols and the network look swarms up in. */
  private readonly registry: SwarmRegistry
  private readonly swarms: Swarms
  /** Shoal's own protocols, and the config's protocol modules: started in that order, stopped in reverse. */
  private readonly protocols: ProtocolHost
  /** Shoal's part of every protocol's components. */
  private readonly swarmComponents: SwarmComponents
  private readonly announcer?: Announcer
  private readonly bootstrapKeeper: BootstrapKeeper
  private readonly lanDialer?: LanDialer
  private readonly swarmKeyFingerprint?: string
  private readonly metricsOfNode: NodeMetrics
  /** Reading content while it downloads: the gateway's source. */
  readonly streams: ContentStreams
  private readonly gateway: GatewayServer
  private readonly lifetime = new AbortController()
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new'

  constructor (config: ShoalConfig, libp2p: Libp2p<ShoalServices>, gates: { bans: BanList, addresses: AddressGuard, lock: DataDirLock, dialFilter: LocalDialFilter, metricsRegistry: Registry }, logger: ComponentLogger, private readonly protocolBaseDir: string, swarmKeyFingerprint?: string) {
    const { bans } = gates
    this.lock = gates.lock
    this.dialFilter = gates.dialFilter
    this.config = config
    this.libp2p = libp2p
    this.bans = bans
    this.addressGuard = gates.addresses
    this.swarmKeyFingerprint = swarmKeyFingerprint
    this.log = logger.forComponent('shoal:node')
    if (libp2p.services.dht !== undefined) {
      this.announcer = new Announcer({ contentRouting: libp2p.contentRouting, peerCount: () => libp2p.getPeers().length, log: logger.forComponent('shoal:announcer') })
    }
    this.bootstrapKeeper = keepBootstrapped(config.bootstrap, libp2p, logger.forComponent('shoal:bootstrap'))
    this.lanDialer = lanDialerOf(libp2p, bans, logger)
    // built in the order they need each other: the registry, the protocols that look swarms
    // up in it, the network over the protocols, then the swarms over the network
    const records = new FileSwarmRecords(config.dataDir)
    this.registry = new SwarmRegistry(records)
    this.protocols = libp2p.services.protocols
    this.swarmComponents = { swarms: new RegistryView(this.registry), trading: tradingOf(this.registry) }
    // built in, yet built as any module is: through the public protocol API, started with libp2p
    const pieces = this.protocols.add('shoal:piece-exchange', pieceExchange({ handshakeTimeout: config.timeouts.handshake, onViolation: (peer, reason) => { this.onMisbehaviour(peer, reason, true) } }), this.swarmComponents)
    const manifests = this.protocols.add('shoal:manifest-exchange', manifestExchange({ maxManifestSize: config.limits.maxManifestSize }), this.swarmComponents)
    const network = new Libp2pNetwork({
      libp2p,
      pieceExchange: pieces,
      manifestExchange: manifests,
      swarms: this.registry,
      announcer: this.announcer,
      // what a get that finds nobody reports, and names in its advice
      bootstrap: { addresses: config.bootstrap, keeper: this.bootstrapKeeper },
      privateSwarm: swarmKeyFingerprint !== undefined,
      configFile: config.configPath,
      bans,
      log: this.log,
      onMisbehaviour: (peer, reason) => { this.onMisbehaviour(peer, reason, true) }
    })
    this.swarms = new Swarms({
      registry: this.registry,
      records,
      storage: fsStorage,
      network,
      limits: config.limits,
      timeouts: config.timeouts,
      // one bucket per direction for the whole node: the limits hold over all swarms
      rates: {
        upload: rateLimit(config.limits.uploadRate),
        download: rateLimit(config.limits.downloadRate)
      },
      pieceSize: config.content.pieceSize,
      maxManifestSize: config.limits.maxManifestSize,
      logger,
      onMisbehaviour: (peer, reason, fatal) => { this.onMisbehaviour(peer, reason, fatal) }
    })
    this.streams = new ContentStreams({
      registry: this.registry,
      get: async (cid, target, options) => await this.swarms.get(cid, target, options),
      folder: join(config.dataDir, GATEWAY.contentFolder),
      readAheadPieces: GATEWAY.readAheadPieces,
      pieceWaitMs: GATEWAY.pieceWaitTimeout,
      log: logger.forComponent('shoal:streams'),
      lifetime: this.lifetime.signal
    })
    this.gateway = new GatewayServer({ source: this.streams, ...config.gateway, log: logger.forComponent('shoal:gateway') })
    this.metricsOfNode = new NodeMetrics({ registry: gates.metricsRegistry, swarms: this.swarmComponents.swarms, status: () => this.swarms.status() })
  }

  get peerId (): string {
    return this.libp2p.peerId.toString()
  }

  async start (): Promise<void> {
    if (this.state !== 'new') return
    await this.libp2p.start()
    await this.swarms.start()
    await this.loadModules()
    await this.gateway.start().catch((err: unknown) => { throw explainApiListenFailure(err, this.config.gateway, this.config, { key: 'gateway', purpose: 'the gateway' }) })
    this.libp2p.addEventListener('peer:connect', (evt) => {
      this.announcer?.onPeerConnected()
      this.registry.onPeerConnected(evt.detail.toString())
    })
    this.announcer?.start()
    this.bootstrapKeeper.start()
    this.lanDialer?.start()
    this.state = 'running'
    this.log('started %p', this.libp2p.peerId)
  }

  /** The config's `protocols`, in order: import, build with their components, start. */
  private async loadModules (): Promise<void> {
    for (const spec of this.config.protocols) {
      const factory = await importProtocolFactory(spec.module, this.protocolBaseDir)
      await this.protocols.load(spec.module, factory, spec.options, this.swarmComponents)
      this.log('loaded protocol module %s', spec.module)
    }
  }

  protocol<T = ShoalProtocolService> (module: string): T | undefined {
    return this.protocols.service(module) as T | undefined
  }

  addresses (): string[] {
    return this.libp2p.getMultiaddrs().map(a => a.toString())
  }

  async add (path: string, options: AddOptions = {}): Promise<AddResult> {
    this.assertRunning()
    return await this.swarms.add(path, options)
  }

  /** The library's edge: the content id is parsed and the output resolved here, once. */
  async get (contentId: string | CID, options: GetOptions): Promise<string> {
    this.assertRunning()
    const cid = typeof contentId === 'string' ? parseContentId(contentId) : contentId
    return await this.swarms.get(cid, resolveOutput(options), options)
  }

  async connect (address: string, options: { signal?: AbortSignal } = {}): Promise<ConnectedPeer> {
    this.assertRunning()
    const trust = this.dialFilter.trust
    return await connectToPeer({ libp2p: this.libp2p, trust, privateSwarm: this.swarmKeyFingerprint !== undefined }, address, options.signal)
  }

  async cancel (contentId: string | CID, options: CancelOptions = {}): Promise<CancelResult> {
    this.assertRunning()
    const cid = typeof contentId === 'string' ? parseContentId(contentId) : contentId
    return await this.swarms.cancel(cid.toString(), options)
  }

  async select (contentId: string | CID, only: readonly string[] | undefined): Promise<string[] | undefined> {
    this.assertRunning()
    const cid = typeof contentId === 'string' ? parseContentId(contentId) : contentId
    return await this.swarms.select(cid.toString(), only)
  }

  status (options: { peers?: boolean, files?: boolean } = {}): NodeStatus {
    return {
      peerId: this.peerId,
      addresses: this.addresses(),
      ...(this.swarmKeyFingerprint === undefined ? {} : { swarmKey: this.swarmKeyFingerprint }),
      connections: this.libp2p.getConnections().length,
      dhtRoutingTableSize: dhtRoutingTableSize(this.libp2p),
      ...this.reachability(),
      swarms: this.withConnectionKinds(options.peers === true ? addConnectionDetails(this.swarms.status(options), this.libp2p) : this.swarms.status(options)),
      bans: this.bans.list(),
      protocols: this.protocols.list(),
      ...(this.state === 'running' ? { gatewayUrl: this.gateway.address } : {})
    }
  }

  private reachability (): Pick<NodeStatus, 'reachability' | 'confirmedAddresses' | 'mappedAddresses'> {
    const { reachability, confirmedAddresses, mappedAddresses } = reachabilityOf(this.libp2p.services.addresses.list(), Date.now())
    return { reachability, confirmedAddresses, ...(this.config.nat.upnp ? { mappedAddresses } : {}) }
  }

  /** Each peer's `connection`, from its libp2p connections (the swarms know peers, not links). */
  private withConnectionKinds (swarms: SwarmStatus[]): SwarmStatus[] {
    for (const swarm of swarms) {
      for (const peer of swarm.peerDetails ?? []) {
        const kind = connectionKindOf(this.libp2p.getConnections(peerIdFromString(peer.peerId)))
        if (kind !== undefined) peer.connection = kind
      }
    }
    return swarms
  }

  async metrics (): Promise<string> {
    return await this.metricsOfNode.text()
  }

  pieceMap (contentId: string): Uint8Array | undefined {
    return this.registry.swarm(contentId)?.pieceMap()
  }

  async stop (): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return
    this.state = 'stopping'
    this.metricsOfNode.stop()
    this.lifetime.abort()
    try {
      await this.gateway.stop()
      this.announcer?.stop()
      this.bootstrapKeeper.stop()
      this.lanDialer?.stop()
      await this.protocols.stopModules()
      await this.swarms.stop()
      // the built-ins stop before libp2p does (its own call to the host then finds nothing running)
      await this.protocols.stop()
      await this.libp2p.stop()
      await this.bans.flush()
    } finally {
      // even a stop that failed half-way frees the folder for the next node
      await this.lock.release()
    }
    this.state = 'stopped'
  }

  private onMisbehaviour (peer: string, reason: string, fatal: boolean): void {
    this.log('peer %s misbehaved: %s', peer, reason)
    if (!fatal || this.bans.isBanned(peer)) return
    this.bans.ban(peer, reason)
    this.metricsOfNode.countBan(reason)
    this.log.error('banned %s: %s', peer, reason)
    const peerId = peerIdFromString(peer)
    // peer ids are free, addresses are not: enough bans at one address and it is refused
    this.addressGuard.recordBan(this.libp2p.getConnections(peerId).map(c => c.remoteAddr))
    void this.libp2p.hangUp(peerId).catch(() => {})
  }

  private assertRunning (): void {
    if (this.state !== 'running') throw new NodeStoppedError('the node is not running')
  }
}

/** Dial the peers mDNS finds, when the node runs mDNS. */
function lanDialerOf (libp2p: Libp2p<ShoalServices>, bans: BanList, logger: ComponentLogger): LanDialer | undefined {
  const discovery = libp2p.services.mdns
  if (discovery === undefined) return undefined
  return new LanDialer({
    libp2p,
    discovery,
    isBanned: (peer) => bans.isBanned(peer),
    concurrency: NETWORK.lanDialConcurrency,
    timeoutMs: NETWORK.lanDialTimeout,
    retryAfterMs: NETWORK.lanRetryAfter,
    maxTracked: NETWORK.lanMaxTracked,
    log: logger.forComponent('shoal:lan')
  })
}

/** Redial bootstrap peers that are not connected (libp2p's bootstrap module dials once). */
function keepBootstrapped (addresses: readonly string[], libp2p: Libp2p, log: Logger): BootstrapKeeper {
  const byPeer = new Map(addresses.map(a => [multiaddr(a).getComponents().findLast(c => c.name === 'p2p')?.value ?? '', multiaddr(a)]))
  return new BootstrapKeeper({
    peers: [...byPeer.keys()],
    isConnected: (peer) => libp2p.getConnections(peerIdFromString(peer)).length > 0,
    dial: async (peer, signal) => { await libp2p.dial(byPeer.get(peer) ?? [], { signal }) },
    log
  })
}
