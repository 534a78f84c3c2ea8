import { GatewayServer } from '../api/gateway.js'
import { parseContentId } from '../core/content-id.js'
import { NodeStoppedError } from '../errors.js'
import { resolveOutput } from '../swarm/output.js'
import { connectToPeer } from './connect.js'
import { explainApiListenFailure } from './listen-errors.js'
import { NodeMetrics } from './metrics.js'
import { onMisbehaviourOf } from './misbehaviour.js'
import { announcerOf, keepBootstrapped, lanDialerOf } from './network-upkeep.js'
import { nodeStatus } from './node-status.js'
import { importProtocolFactory } from './protocol-loader.js'
import { PEER_EXCHANGE_PROTOCOL, peerExchange } from '../../protocols/peer-exchange/index.js'
import { wireSwarms } from './swarm-wiring.js'
import type { ShoalConfig } from '../config/schema.js'
import type { Announcer } from '../discovery/announcer.js'
import type { BootstrapKeeper } from '../discovery/bootstrap-keeper.js'
import type { ContentStreams } from '../swarm/streams.js'
import type { SwarmRegistry } from '../swarm/registry.js'
import type { Swarms } from '../swarm/swarms.js'
import type { AddOptions, AddResult, CancelOptions, CancelResult, GetOptions } from '../swarm/types.js'
import type { AddressGuard } from './address-guard.js'
import type { BanList } from './bans.js'
import type { ConnectedPeer } from './connect.js'
import type { DataDirLock } from './data-dir-lock.js'
import type { LocalDialFilter } from './dial-policy.js'
import type { LanDialer } from './lan-dialer.js'
import type { ShoalServices } from './libp2p.js'
import type { OnMisbehaviour } from './misbehaviour.js'
import type { NodeStatus, ShoalNode } from './node-types.js'
import type { ShoalProtocolService } from './protocol-api.js'
import type { ProtocolHost, SwarmComponents } from './protocol-host.js'
import type { ComponentLogger, Libp2p, Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { Registry } from 'prom-client'

/** What buildNode made before libp2p: the node's gates, its lock, its metrics' registry. */
export interface NodeGates {
  bans: BanList
  addresses: AddressGuard
  lock: DataDirLock
  dialFilter: LocalDialFilter
  metricsRegistry: Registry
}

/** The composition root: starts and stops the parts in order, and is the library's edge. */
export class Node implements ShoalNode {
  readonly config: ShoalConfig
  readonly libp2p: Libp2p<ShoalServices>
  private readonly log: Logger
  private readonly bans: BanList
  private readonly lock: DataDirLock
  private readonly dialFilter: LocalDialFilter
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
  private readonly onMisbehaviour: OnMisbehaviour
  /** Reading content while it downloads: the gateway's source. */
  readonly streams: ContentStreams
  private readonly gateway: GatewayServer
  private readonly lifetime = new AbortController()
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new'

  constructor (config: ShoalConfig, libp2p: Libp2p<ShoalServices>, gates: NodeGates, logger: ComponentLogger, private readonly protocolBaseDir: string, swarmKeyFingerprint?: string) {
    const { bans } = gates
    this.lock = gates.lock
    this.dialFilter = gates.dialFilter
    this.config = config
    this.libp2p = libp2p
    this.bans = bans
    this.swarmKeyFingerprint = swarmKeyFingerprint
    this.log = logger.forComponent('shoal:node')
    this.announcer = announcerOf(libp2p, logger)
    this.bootstrapKeeper = keepBootstrapped(config.bootstrap, libp2p, logger.forComponent('shoal:bootstrap'))
    this.lanDialer = lanDialerOf(libp2p, (peer) => bans.isBanned(peer), logger)
    // the metrics are made last; a ban is counted only once peers are met, after the constructor
    this.onMisbehaviour = onMisbehaviourOf({ bans, addressGuard: gates.addresses, libp2p, countBan: (reason) => { this.metricsOfNode.countBan(reason) }, log: this.log })
    this.protocols = libp2p.services.protocols
    const wired = wireSwarms({
      config,
      libp2p,
      bans,
      announcer: this.announcer,
      bootstrapKeeper: this.bootstrapKeeper,
      privateSwarm: swarmKeyFingerprint !== undefined,
      logger,
      log: this.log,
      onMisbehaviour: this.onMisbehaviour,
      lifetime: this.lifetime.signal
    })
    this.registry = wired.registry
    this.swarms = wired.swarms
    this.streams = wired.streams
    this.swarmComponents = wired.swarmComponents
    this.gateway = new GatewayServer({ source: this.streams, ...config.gateway, log: logger.forComponent('shoal:gateway') })
    this.metricsOfNode = new NodeMetrics({ registry: gates.metricsRegistry, swarms: this.swarmComponents.swarms, status: () => this.swarms.status(), room: wired.room })
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

  /**
   * The config's `protocols`, in order: import, build with their components, start. Then peer
   * exchange (`peerExchange.enabled`), unless a module of the config handles its protocol id
   * already (the peer-exchange module loaded with options of its own).
   */
  private async loadModules (): Promise<void> {
    for (const spec of this.config.protocols) {
      const factory = await importProtocolFactory(spec.module, this.protocolBaseDir)
      await this.protocols.load(spec.module, factory, spec.options, this.swarmComponents)
      this.log('loaded protocol module %s', spec.module)
    }
    if (this.config.peerExchange.enabled && !this.protocols.handles(PEER_EXCHANGE_PROTOCOL)) {
      this.protocols.add('shoal:peer-exchange', peerExchange(), this.swarmComponents)
      await this.protocols.start()
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
    return nodeStatus(this.libp2p, {
      swarms: this.swarms.status(options),
      bans: this.bans.list(),
      protocols: this.protocols.list(),
      swarmKeyFingerprint: this.swarmKeyFingerprint,
      gatewayUrl: this.state === 'running' ? this.gateway.address : undefined,
      upnp: this.config.nat.upnp
    }, options)
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

  private assertRunning (): void {
    if (this.state !== 'running') throw new NodeStoppedError('the node is not running')
  }
}
