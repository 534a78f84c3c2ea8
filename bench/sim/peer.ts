import { Bitfield } from '../../src/core/bitfield.js'
import { CopyLedger } from '../../src/core/copy-ledger.js'
import { PiecePicker } from '../../src/core/piece-picker.js'
import { SendOrder } from '../../src/core/send-order.js'
import { PICKING } from '../../src/config/defaults.js'
import { RateMeter } from '../../src/utils/rate-meter.js'
import { endpoint } from './fluid.js'
import type { EventQueue } from './event-queue.js'
import type { Endpoint, FluidNetwork } from './fluid.js'

/** What every simulated peer shares: the clock, the network, the content's shape, the tallies. */
export interface World {
  readonly queue: EventQueue
  readonly net: FluidNetwork
  readonly random: () => number
  readonly pieceSize: number
  readonly pieceCount: number
  readonly fileBytes: number
  /** The clock the core's meters read, in ms. */
  readonly nowMs: () => number
  readonly stats: WorldStats
  /** Room for one more bitfield's bits (links' fields share large buffers: see bitStorage). */
  readonly bitStorage: () => Uint8Array
  /** Mean one-way access latency of the peers, seconds: Haves travel two of them. */
  readonly meanLatency: number
  /** A piece's last byte reached the asking side of `link`. */
  received(link: SimLink, index: number): void
}

export interface WorldStats {
  /** Piece bytes that arrived at a peer that already had or was storing the piece. */
  wastedBytes: number
  /** Of those, copies that went out whole after their request was cancelled (endgame). */
  endgameBytes: number
  /** Every piece byte delivered. */
  deliveredBytes: number
}

export interface PeerSpec {
  readonly up: number
  readonly down: number
  /** One-way access latency, seconds. */
  readonly latency: number
}

/**
 * One simulated node in one swarm: the state a real Swarm, Requester and Uploader keep, with
 * the core's own picker, copy ledger and meters.
 */
export class SimPeer {
  readonly have: Bitfield
  readonly picker: PiecePicker
  readonly copies: CopyLedger
  /** Which queued copy goes out first (Uploader's order: the rarest). */
  readonly sendOrder: SendOrder
  readonly link: Endpoint
  /** Links by the remote's id, and the same links in the order they were made (loops over an array: a Map's iterator cost 10% at 10,000 peers). */
  readonly links = new Map<number, SimLink>()
  readonly linkList: SimLink[] = []
  /** The id as the core's choker and copy ledger take it (made once: 10,000 peers' ids as strings at every choke round cost the GC). */
  readonly key: string
  /** Pieces received and being "stored" (instant here), or stored. */
  readonly writing = new Set<number>()
  uploaded = 0
  optimistic?: string
  /** Links whose copy goes out now (Uploader's send turns), and those waiting for a turn, in order. */
  readonly turnHolders = new Set<SimLink>()
  readonly turnWaiters = new Set<SimLink>()
  ticks = 0
  /** When the haves of pieces stored last go out (seconds; HaveBatch). */
  havesDueAt = Number.NEGATIVE_INFINITY
  doneAt?: number
  departed = false
  readonly initialSeed: boolean

  constructor (readonly id: number, readonly spec: PeerSpec, readonly joinedAt: number, world: World, seed: boolean) {
    this.have = seed ? Bitfield.full(world.pieceCount) : new Bitfield(world.pieceCount)
    this.picker = new PiecePicker(this.have, { ...PICKING, random: world.random })
    this.copies = new CopyLedger(world.pieceCount)
    this.sendOrder = new SendOrder(index => this.picker.availabilityOf(index), index => this.copies.copiesOf(index))
    this.link = endpoint(spec.up, spec.down)
    this.initialSeed = seed
    this.key = String(id)
    if (seed) this.doneAt = joinedAt
  }

  addLink (link: SimLink): void {
    this.links.set(link.remote.id, link)
    this.linkList.push(link)
  }

  removeLink (link: SimLink): void {
    this.links.delete(link.remote.id)
    this.linkList.splice(this.linkList.indexOf(link), 1)
  }

  get downloading (): boolean {
    return !this.have.complete && !this.departed
  }
}

/**
 * One side of a connection, as a PeerSession keeps it: what the remote has, who chokes whom,
 * our requests to it, its requests queued with us, and the meter of what it sent us.
 */
export class SimLink {
  readonly remoteHas: Bitfield
  chokedBy = true
  choking = true
  /** Our requests out to the remote (made on the first: most links never carry one). */
  private asked?: Set<number>
  inflightBytes = 0
  /** Pieces the remote refused (not choked): not asked of it again before this ms time (made on the first refusal: most links never have one). */
  refusedUntil?: Map<number, number>
  /** The remote's requests waiting with us, in order. */
  queue: number[] = []
  /** The piece being sent to the remote now, if any, and when its turn began (seconds). */
  sending?: number
  turnAt = 0
  /** Pieces the remote asked again after we said 'elsewhere': the next ask is granted (made on first use). */
  sentElsewhere?: Set<number>
  /** Bytes we sent the remote. */
  given = 0
  /** What the remote sent us lately (made on the first piece: most links never carry one). */
  private meter?: RateMeter
  readonly connectedAt: number
  /** The world's clock, for the meter made on the first piece. */
  private readonly nowMs: () => number
  /** The remote's side of this connection. */
  back!: SimLink
  closed = false
  /**
   * Pieces we have that the remote lacks, kept as either side gains one: whether the remote
   * wants a slot of ours without comparing bitfields (asked for every piece stored and every Have).
   */
  offer: number

  constructor (readonly owner: SimPeer, readonly remote: SimPeer, world: World) {
    this.remoteHas = new Bitfield(world.pieceCount, remote.have.toBytes(), world.bitStorage())
    this.offer = owner.have.without(this.remoteHas).count
    this.nowMs = world.nowMs
    this.connectedAt = world.nowMs()
  }

  get latency (): number {
    return this.owner.spec.latency + this.remote.spec.latency
  }

  get isSeed (): boolean {
    return this.remoteHas.complete
  }

  isRequested (index: number): boolean {
    return this.asked?.has(index) === true
  }

  addRequest (index: number): void {
    (this.asked ??= new Set()).add(index)
  }

  /** Whether `index` was requested (and is no longer). */
  removeRequest (index: number): boolean {
    return this.asked?.delete(index) === true
  }

  /** Every request out, forgotten. */
  takeRequests (): Iterable<number> {
    const asked = this.asked ?? []
    this.asked = undefined
    return asked
  }

  get downloadRate (): number {
    return this.meter?.rate() ?? 0
  }

  downloaded (bytes: number): void {
    (this.meter ??= new RateMeter(5000, this.nowMs, this.connectedAt)).add(bytes)
  }

  refusedLately (index: number, nowMs: number): boolean {
    const until = this.refusedUntil?.get(index)
    return until !== undefined && until > nowMs
  }
}

/** Bitfields' storage for `pieceCount` pieces, handed out of 64 KiB buffers (never reused: links closed under churn keep theirs). */
export function bitStorage (pieceCount: number): () => Uint8Array {
  const size = Math.ceil(pieceCount / 8)
  let buffer = new Uint8Array(0)
  let used = 0
  return () => {
    if (used + size > buffer.byteLength) {
      buffer = new Uint8Array(Math.max(size, 64 * 1024))
      used = 0
    }
    return buffer.subarray(used, used += size)
  }
}
