import { join } from 'node:path'
import { manifestExchange } from '../../protocols/manifest-exchange/index.js'
import { pieceExchange } from '../../protocols/piece-exchange/index.js'
import { GATEWAY, IDENTITIES } from '../config/defaults.js'
import { fsStorage } from '../storage/fs-storage.js'
import { FileSwarmRecords } from '../swarm/records.js'
import { SwarmRegistry } from '../swarm/registry.js'
import { SessionBudget } from '../swarm/session-budget.js'
import { ContentStreams } from '../swarm/streams.js'
import { Swarms } from '../swarm/swarms.js'
import { RegistryView } from '../swarm/swarms-view.js'
import { rateLimit } from '../utils/token-bucket.js'
import { tradingOf } from './module-components.js'
import { ConnectionRoom } from './connection-room.js'
import { Libp2pNetwork } from './network.js'
import type { ShoalConfig } from '../config/schema.js'
import type { Announcer } from '../discovery/announcer.js'
import type { BootstrapKeeper } from '../discovery/bootstrap-keeper.js'
import type { BanList } from './bans.js'
import type { ShoalServices } from './libp2p.js'
import type { OnMisbehaviour } from './misbehaviour.js'
import type { SwarmComponents } from './protocol-host.js'
import type { ComponentLogger, Libp2p, Logger } from '@libp2p/interface'

export interface SwarmWiringInit {
  config: ShoalConfig
  libp2p: Libp2p<ShoalServices>
  bans: BanList
  announcer?: Announcer
  bootstrapKeeper: BootstrapKeeper
  privateSwarm: boolean
  logger: ComponentLogger
  /** The node's log (the network adapter logs there). */
  log: Logger
  onMisbehaviour: OnMisbehaviour
  /** Aborted when the node stops: the content streams end with it. */
  lifetime: AbortSignal
}

export interface SwarmWiring {
  /** The swarms by content id: what the protocols and the network look swarms up in. */
  registry: SwarmRegistry
  swarms: Swarms
  /** Reading content while it downloads: the gateway's source. */
  streams: ContentStreams
  /** Shoal's part of every protocol's components. */
  swarmComponents: SwarmComponents
  /** What the node did for room at its connection limit, since start (for the metrics). */
  room: () => RoomCounts
}

export interface RoomCounts {
  /** Peers a swarm dropped for a smaller swarm's newcomer. */
  peersDropped: number
  /** Connections closed: peers dropped or refused that no swarm trades with, and idle ones. */
  connectionsClosed: number
}

/**
 * The swarm layer over libp2p, built in the order its parts need each other: the registry, the
 * protocols that look swarms up in it, the network over the protocols, then the swarms over
 * the network, and the content streams over the swarms.
 */
export function wireSwarms (init: SwarmWiringInit): SwarmWiring {
  const { config, libp2p, logger } = init
  const records = new FileSwarmRecords(config.dataDir)
  const registry = new SwarmRegistry(records)
  const swarmComponents: SwarmComponents = { swarms: new RegistryView(registry), trading: tradingOf(registry) }
  const protocols = libp2p.services.protocols
  // built in, yet built as any module is: through the public protocol API, started with libp2p
  const pieces = protocols.add('shoal:piece-exchange', pieceExchange({ handshakeTimeout: config.timeouts.handshake, onViolation: (peer, reason) => { init.onMisbehaviour(peer, reason, true) } }), swarmComponents)
  const manifests = protocols.add('shoal:manifest-exchange', manifestExchange({ maxManifestSize: config.limits.maxManifestSize }), swarmComponents)
  const network = new Libp2pNetwork({
    libp2p,
    pieceExchange: pieces,
    manifestExchange: manifests,
    swarms: registry,
    announcer: init.announcer,
    // what a get that finds nobody reports, and names in its advice
    bootstrap: { addresses: config.bootstrap, keeper: init.bootstrapKeeper },
    privateSwarm: init.privateSwarm,
    configFile: config.configPath,
    bans: init.bans,
    log: init.log,
    onMisbehaviour: (peer, reason) => { init.onMisbehaviour(peer, reason, true) }
  })
  // the swarms' peers stay under a share of libp2p's connection limit, and idle connections
  // go at the limit, so that a new content's peers and the DHT can still reach the node
  const room = new ConnectionRoom({
    libp2p,
    maxConnections: config.limits.maxConnections,
    spare: IDENTITIES.spareConnections,
    graceMs: IDENTITIES.idleConnectionGraceMs,
    trades: peer => budget.trades(peer),
    intervalMs: IDENTITIES.roomCheckInterval,
    log: logger.forComponent('shoal:connections')
  })
  const budget = new SessionBudget({
    maxSessions: Math.floor(config.limits.maxConnections * IDENTITIES.swarmConnectionShare),
    release: peer => { room.release(peer) },
    roomFreed: () => { registry.roomFreed() }
  })
  room.start(init.lifetime)
  const swarms = new Swarms({
    registry,
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
    budget,
    pieceSize: config.content.pieceSize,
    maxManifestSize: config.limits.maxManifestSize,
    logger,
    onMisbehaviour: init.onMisbehaviour
  })
  const streams = new ContentStreams({
    registry,
    get: async (cid, target, options) => await swarms.get(cid, target, options),
    folder: join(config.dataDir, GATEWAY.contentFolder),
    readAheadPieces: GATEWAY.readAheadPieces,
    pieceWaitMs: GATEWAY.pieceWaitTimeout,
    log: logger.forComponent('shoal:streams'),
    lifetime: init.lifetime
  })
  return { registry, swarms, streams, swarmComponents, room: () => ({ peersDropped: budget.dropped, connectionsClosed: room.closed }) }
}
