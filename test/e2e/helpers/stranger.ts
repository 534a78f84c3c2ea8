import {
  HostilePeer, badHandshake, churnBannedIdentities, flooder, holdIdleConnections, liar, manifestNotFound,
  manifestSilent, manifestTrickler, poisoner, staller, stopReading
} from '../../kit/hostile/index.js'
import type { BadHandshakeKind, Held, HostilePeerInit, NonReading, PieceBehaviour } from '../../kit/hostile/index.js'

/**
 * One stranger against a swarm: a single host (one local address of its own) that goes
 * through the hostile-peer kit's behaviours one after the other, each with fresh identities,
 * as the standing test (test/e2e/strangers.spec.ts) runs it in a process of its own
 * (stranger-process.ts). What each behaviour did is kept in a `BehaviourRecord`.
 */
export interface StrangerPlan {
  /** Every identity dials from (and listens on) this address, e.g. 127.0.0.2: never the honest nodes' 127.0.0.1. */
  localAddress: string
  /** The swarm's leechers, as addresses with /p2p/. */
  leechers: string[]
  size: number
  pieceSize: number
  /** ms from one behaviour's start to the next one's. */
  phaseMs: number
  /** The seeder and its content: known once the seeder is up, which is after the manifest holders are in place. */
  seeder?: string
  contentId?: string
}

/** What one behaviour of one round did. */
export interface BehaviourRecord {
  round: number
  behaviour: string
  /** ms from the start of the cycle (just before the downloads begin) to this behaviour's start. */
  startedMs: number
  /** Peer ids it used (for the churn, only a count: the ids are thrown away). */
  identities: string[]
  identityCount: number
  /** Connections (or exchanges) the honest nodes accepted from it, and refused. */
  accepted: number
  refused: number
  /** Piece-exchange handshakes it answered or had accepted, piece requests it got (or sent), pieces it sent, manifest requests it got. */
  handshakes: number
  requests: number
  piecesSent: number
  manifestRequests: number
  /** Exchanges the honest node ended (non-readers: the seeder hung up on them). */
  ended: number
}

/** Where a behaviour runs: the plan, its record, and what it starts, to stop at the end. */
interface PhaseContext {
  plan: StrangerPlan
  record: BehaviourRecord
  /** The identities this phase started. */
  peers: HostilePeer[]
  /** Anything else to end when the stranger stops (held connections). */
  held: Held[]
  /** Bring the record's counts up to date (the identities go on after their phase). */
  probes: Array<() => void>
}

interface Phase {
  name: string
  run(ctx: PhaseContext): Promise<void>
}

/** Identities that answer a manifest request with silence, or trickle 100 B/s of an announced 16 MiB: in place before the `get`s. */
export const MANIFEST_PHASES: Phase[] = [
  { name: 'manifest: silent (2 ids)', run: async (ctx) => { await dialLeechers(ctx, 2, () => ({ manifest: manifestSilent() })) } },
  { name: 'manifest: trickles 100 B/s of 16 MiB (2 ids)', run: async (ctx) => { await dialLeechers(ctx, 2, () => ({ manifest: manifestTrickler() })) } }
]

const BAD_HANDSHAKES: BadHandshakeKind[] = ['short-bitfield', 'piece-count', 'silent']
const NON_READERS = 3
/** Requests a second a flooding non-reader sends once it has stopped reading. */
const NON_READER_FLOOD = 1000
const CHURN_PER_NODE = 12
const IDLE_CONNECTIONS = 24
/** Identities the idle connections are spread over. */
const IDLE_IDENTITIES = 6

/** The cycle, in order: each round goes through it with fresh identities. */
export const CYCLE: Phase[] = [
  { name: 'poisoner', run: async (ctx) => { await dialLeechers(ctx, 1, pieces(ctx, poisoner())) } },
  { name: 'liar: full bitfield, rejects', run: async (ctx) => { await dialLeechers(ctx, 1, pieces(ctx, liar())) } },
  { name: 'staller: never answers', run: async (ctx) => { await dialLeechers(ctx, 1, pieces(ctx, staller())) } },
  { name: 'flooder: 1 MiB of garbage', run: async (ctx) => { await dialLeechers(ctx, 1, pieces(ctx, flooder('garbage'))) } },
  {
    name: `bad handshakes: ${BAD_HANDSHAKES.join(', ')}`,
    run: async (ctx) => { await dialLeechers(ctx, BAD_HANDSHAKES.length, (n) => pieces(ctx, badHandshake(BAD_HANDSHAKES[n]))(n)) }
  },
  { name: `non-readers on the seeder (${NON_READERS}, 2 flooding requests)`, run: nonReaders },
  { name: `identity churn: ${CHURN_PER_NODE} banned ids per node, ${IDLE_CONNECTIONS} idle connections to the seeder`, run: churn }
]

export function newRecord (round: number, behaviour: string, startedMs: number): BehaviourRecord {
  return { round, behaviour, startedMs, identities: [], identityCount: 0, accepted: 0, refused: 0, handshakes: 0, requests: 0, piecesSent: 0, manifestRequests: 0, ended: 0 }
}

/** A behaviour under way: its record, kept up to date by `refresh`. */
export interface Running {
  record: BehaviourRecord
  refresh(): void
}

/**
 * Start one phase into `record`: `running` is live at once (a phase still under way when the
 * stranger stops is counted as far as it got), `done` settles when the phase has run.
 * The identities it starts go to `peers` and `held`, for the stranger to stop.
 */
export function startPhase (phase: Phase, plan: StrangerPlan, record: BehaviourRecord, peers: HostilePeer[], held: Held[]): { running: Running, done: Promise<void> } {
  const mine: HostilePeer[] = []
  const ctx: PhaseContext = { plan, record, peers: mine, held, probes: [] }
  // the kit counts on each peer's stats, live: the record sums them whenever it is refreshed
  ctx.probes.push(() => { tally(record, mine) })
  const running: Running = { record, refresh: () => { for (const probe of ctx.probes) probe() } }
  const done = phase.run(ctx).finally(() => {
    peers.push(...mine)
    running.refresh()
  })
  return { running, done }
}

function tally (record: BehaviourRecord, peers: HostilePeer[]): void {
  if (peers.length === 0) return
  const sum = (key: 'handshakes' | 'pieceRequests' | 'piecesSent' | 'manifestRequests'): number => peers.reduce((total, p) => total + p.stats[key], 0)
  record.handshakes = Math.max(record.handshakes, sum('handshakes'))
  record.requests = Math.max(record.requests, sum('pieceRequests'))
  record.piecesSent = Math.max(record.piecesSent, sum('piecesSent'))
  record.manifestRequests = Math.max(record.manifestRequests, sum('manifestRequests'))
}

function pieces (ctx: PhaseContext, behaviour: PieceBehaviour): (n: number) => HostilePeerInit {
  return () => ({ pieces: { shape: { size: ctx.plan.size, pieceSize: ctx.plan.pieceSize }, behaviour }, manifest: manifestNotFound() })
}

/** `count` fresh identities, each dialling every leecher (which then opens its exchanges with them). */
async function dialLeechers (ctx: PhaseContext, count: number, init: (n: number) => HostilePeerInit): Promise<void> {
  const { plan, record } = ctx
  await Promise.all(Array.from({ length: count }, async (_, n) => {
    const peer = await HostilePeer.start({ ...init(n), localAddress: plan.localAddress })
    ctx.peers.push(peer)
    record.identities.push(peer.peerId)
    record.identityCount++
    await Promise.all(plan.leechers.map(async (leecher) => {
      await peer.dial(leecher).then(() => { record.accepted++ }, () => { record.refused++ })
    }))
  }))
}

/** Non-readers on the seeder: each asks for every piece once unchoked and never reads again; two go on asking (a flood). */
async function nonReaders (ctx: PhaseContext): Promise<void> {
  const { plan, record } = ctx
  const { seeder, contentId } = seedOf(plan)
  const pieceCount = Math.ceil(plan.size / plan.pieceSize)
  const readers: NonReading[] = []
  ctx.probes.push(() => {
    record.requests = readers.reduce((total, r) => total + r.requestsSent, 0)
    record.ended = readers.filter(r => r.ended).length
  })
  await Promise.all(Array.from({ length: NON_READERS }, async (_, n) => {
    const peer = await HostilePeer.start({ localAddress: plan.localAddress })
    ctx.peers.push(peer)
    record.identities.push(peer.peerId)
    record.identityCount++
    // it waits for an upload slot (an Unchoke): the phase does not wait longer than its own time
    const reading = stopReading(peer, seeder, contentId, pieceCount, { floodPerSecond: n < 2 ? NON_READER_FLOOD : 0 })
    reading.then((r) => { readers.push(r); record.accepted++ }, () => { record.refused++ })
    await Promise.race([reading.catch(() => {}), sleep(plan.phaseMs)])
  }))
}

function seedOf (plan: StrangerPlan): { seeder: string, contentId: string } {
  if (plan.seeder === undefined || plan.contentId === undefined) throw new Error('the seeder is not known yet')
  return { seeder: plan.seeder, contentId: plan.contentId }
}

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** Identities banned in a row on every node (a Request in place of a handshake), and idle connections held on the seeder. */
async function churn (ctx: PhaseContext): Promise<void> {
  const { plan, record } = ctx
  const { seeder } = seedOf(plan)
  const targets = [seeder, ...plan.leechers]
  const idle = holdIdleConnections(seeder, IDLE_CONNECTIONS, { localAddress: plan.localAddress, identities: IDLE_IDENTITIES, perSecond: 20 })
  const results = await Promise.all(targets.map(async (target) => await churnBannedIdentities(target, CHURN_PER_NODE, { localAddress: plan.localAddress, concurrency: 2 })))
  for (const result of results) {
    record.identityCount += result.violated + result.refused
    record.accepted += result.violated
    record.refused += result.refused
  }
  const held = await idle
  ctx.held.push(held)
  record.identityCount += IDLE_IDENTITIES
  record.accepted += held.accepted
  record.refused += held.refused
}
