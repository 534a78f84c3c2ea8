import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { METRICS } from '../config/defaults.js'
import type { PieceFailure, SwarmEvents } from '../swarm/events.js'
import type { SwarmState } from '../swarm/swarm.js'
import type { SwarmsView } from '../swarm/swarms-view.js'
import type { SwarmStatus } from '../swarm/types.js'
import type { RoomCounts } from './swarm-wiring.js'

/** Every state a swarm can be in: each is a `shoal_swarms` series, 0 when no swarm is in it. */
const SWARM_STATES: readonly SwarmState[] = ['downloading', 'seeding', 'partial', 'checking', 'stopped', 'error']
const PIECE_FAILURES: readonly PieceFailure[] = ['hash', 'rejected', 'timeout', 'write']

/** What a ban's reason (free text, from many places) is counted as: a bounded set of labels. */
export type BanCategory = 'bad-pieces' | 'stalls' | 'false-claims' | 'choked-requests' | 'protocol'
const BAN_CATEGORIES: ReadonlyArray<[BanCategory, RegExp]> = [
  ['bad-pieces', /failed verification|bad pieces/],
  ['stalls', /held our requests|did not read/],
  ['false-claims', /had announced/],
  ['choked-requests', /while choked/]
]

export function banCategory (reason: string): BanCategory {
  return BAN_CATEGORIES.find(([, pattern]) => pattern.test(reason))?.[0] ?? 'protocol'
}

export interface NodeMetricsInit {
  /** The node's own registry: libp2p's metrics are registered in it too. */
  registry: Registry
  /** The swarms' typed events, and their peers. */
  swarms: SwarmsView
  /** The status projection of every swarm (`status --json`'s swarms). */
  status: () => SwarmStatus[]
  /** What the node did for room at its connection limit, since start. */
  room?: () => RoomCounts
}

/**
 * Shoal's `shoal_` metrics, fed by the swarms' typed events and sampled from the status
 * projection at each scrape; nothing in the swarm layer knows of them. No label names a
 * swarm (the number of swarms is not bounded): every series is node-wide, labelled only from
 * fixed sets (swarm state, failure reason, ban category).
 */
export class NodeMetrics {
  private readonly registry: Registry
  private readonly init: NodeMetricsInit
  private readonly uploaded: Counter
  private readonly downloaded: Counter
  private readonly copiesSent: Counter
  private readonly verified: Counter
  private readonly failed: Counter<'reason'>
  private readonly hashFailures: Counter
  private readonly bans: Counter<'category'>
  private readonly peers: Gauge
  private readonly swarmsByState: Gauge<'state'>
  private readonly roundTrip: Histogram
  private readonly peersDropped: Counter
  private readonly connectionsClosed: Counter
  private lastRoom: RoomCounts = { peersDropped: 0, connectionsClosed: 0 }
  /** Bytes up and down last seen per open swarm (by content id and open time): counters grow by the difference. */
  private readonly lastSeen = new Map<string, { uploaded: number, downloaded: number }>()

  constructor (init: NodeMetricsInit) {
    this.init = init
    const registers = [init.registry]
    this.registry = init.registry
    this.uploaded = new Counter({ name: 'shoal_uploaded_bytes_total', help: 'Piece bytes sent to peers, all swarms', registers })
    this.downloaded = new Counter({ name: 'shoal_downloaded_bytes_total', help: 'Piece bytes received, verified and written, all swarms', registers })
    this.copiesSent = new Counter({ name: 'shoal_seeder_copies_sent_total', help: 'Whole copies of content sent: each swarm\'s bytes sent over its size, summed', registers })
    this.verified = new Counter({ name: 'shoal_pieces_verified_total', help: 'Pieces received that passed their hash check and were written', registers })
    this.failed = new Counter({ name: 'shoal_pieces_failed_total', help: 'Requested pieces that failed (hash, rejected, timeout, write) and were asked for again', labelNames: ['reason'], registers })
    this.hashFailures = new Counter({ name: 'shoal_hash_failures_total', help: 'Pieces received whose hash did not match the manifest', registers })
    this.bans = new Counter({ name: 'shoal_bans_total', help: 'Peers banned, by kind of reason', labelNames: ['category'], registers })
    this.peers = new Gauge({ name: 'shoal_peers', help: 'Distinct peers trading in at least one swarm', registers })
    this.swarmsByState = new Gauge({ name: 'shoal_swarms', help: 'Open swarms by state', labelNames: ['state'], registers })
    this.roundTrip = new Histogram({ name: 'shoal_piece_round_trip_seconds', help: 'From a piece request going out to the piece\'s last byte', buckets: [...METRICS.roundTripBuckets], registers })
    this.peersDropped = new Counter({ name: 'shoal_peers_dropped_for_room_total', help: 'Peers a swarm dropped for a smaller swarm\'s newcomer, the node\'s swarms holding their share of limits.maxConnections', registers })
    this.connectionsClosed = new Counter({ name: 'shoal_connections_closed_for_room_total', help: 'Connections closed near limits.maxConnections: peers no swarm trades with, dropped, refused or idle', registers })
    for (const reason of PIECE_FAILURES) this.failed.inc({ reason }, 0)
    for (const [category] of BAN_CATEGORIES) this.bans.inc({ category }, 0)
    this.bans.inc({ category: 'protocol' }, 0)
    init.swarms.addEventListener('swarm:piece-verified', this.onVerified)
    init.swarms.addEventListener('swarm:piece-received', this.onReceived)
    init.swarms.addEventListener('swarm:piece-failed', this.onFailed)
  }

  /** A peer was banned for `reason` (the ban list's text). */
  countBan (reason: string): void {
    this.bans.inc({ category: banCategory(reason) })
  }

  /** The node's metrics (Shoal's and libp2p's) and the process's, in Prometheus' text format. */
  async text (): Promise<string> {
    this.sample()
    const [node, process] = await Promise.all([this.registry.metrics(), processMetrics().metrics()])
    return `${node.trimEnd()}\n${process}`
  }

  stop (): void {
    this.init.swarms.removeEventListener('swarm:piece-verified', this.onVerified)
    this.init.swarms.removeEventListener('swarm:piece-received', this.onReceived)
    this.init.swarms.removeEventListener('swarm:piece-failed', this.onFailed)
  }

  private readonly onVerified = (): void => { this.verified.inc() }
  private readonly onReceived = (event: SwarmEvents['swarm:piece-received']): void => { this.roundTrip.observe(event.detail.roundTripMs / 1000) }
  private readonly onFailed = (event: SwarmEvents['swarm:piece-failed']): void => {
    this.failed.inc({ reason: event.detail.reason })
    if (event.detail.reason === 'hash') this.hashFailures.inc()
  }

  /** Read the status projection once: byte counters, copies sent, swarms by state, peers. */
  private sample (): void {
    const swarms = this.init.status()
    const seen = new Map<string, { uploaded: number, downloaded: number }>()
    const states = new Map<string, number>(SWARM_STATES.map(s => [s, 0]))
    for (const swarm of swarms) {
      const key = `${swarm.contentId}@${swarm.startedAt}`
      const last = this.lastSeen.get(key) ?? { uploaded: 0, downloaded: 0 }
      const sent = Math.max(0, swarm.uploaded - last.uploaded)
      this.uploaded.inc(sent)
      this.downloaded.inc(Math.max(0, swarm.downloaded - last.downloaded))
      if (swarm.size > 0) this.copiesSent.inc(sent / swarm.size)
      seen.set(key, { uploaded: Math.max(swarm.uploaded, last.uploaded), downloaded: Math.max(swarm.downloaded, last.downloaded) })
      states.set(swarm.state, (states.get(swarm.state) ?? 0) + 1)
    }
    // swarms gone since the last scrape are forgotten (their bytes after it are not counted)
    this.lastSeen.clear()
    for (const [key, value] of seen) this.lastSeen.set(key, value)
    for (const [state, count] of states) this.swarmsByState.set({ state }, count)
    this.peers.set(new Set(this.init.swarms.list().flatMap(s => s.peers)).size)
    const room = this.init.room?.()
    if (room !== undefined) {
      this.peersDropped.inc(room.peersDropped - this.lastRoom.peersDropped)
      this.connectionsClosed.inc(room.connectionsClosed - this.lastRoom.connectionsClosed)
      this.lastRoom = room
    }
  }
}

let processRegistry: Registry | undefined

/**
 * prom-client's process metrics (CPU, memory, event loop, GC): one set per process, however
 * many nodes it runs, so that several nodes do not each start their own collectors.
 */
export function processMetrics (): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry()
    collectDefaultMetrics({ register: processRegistry })
  }
  return processRegistry
}
