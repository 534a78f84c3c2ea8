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
  /** Room for one more field's bits (peers' and links' fields share large buffers: see bitStorage). */
  readonly bitStorage: () => BitSlot
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
  /** Where `have` keeps its bits, read by `hasPiece` without its two objects (see SimLink). */
  private readonly slab: Uint8Array
  private readonly bitsAt: number

  constructor (readonly id: number, readonly spec: PeerSpec, readonly joinedAt: number, world: World, seed: boolean) {
    const { slab, at } = world.bitStorage()
    this.slab = slab
    this.bitsAt = at
    this.have = fieldAt(slab, at, world.pieceCount)
    if (seed) for (let i = 0; i < world.pieceCount; i++) this.have.set(i)
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

  /** `have.has(index)`, read from the bits in place. */
  hasPiece (index: number): boolean {
    return bitIn(this.slab, this.bitsAt, index)
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
  /**
   * What the remote has, as the picker reads it: a view of this link's bytes in a shared slab.
   * Its count is not kept (bits are set through `remoteGained`): read `remoteCount`.
   */
  readonly remoteHas: Bitfield
  /**
   * The same bits, read and set here through the slab and an offset: at 10,000 peers a Have's
   * cost is its cache misses, and this skips the Bitfield and its view (two objects per link).
   */
  private readonly slab: Uint8Array
  private readonly bitsAt: number
  remoteCount: number
  /** The remote has every piece. */
  isSeed: boolean
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
  /** When we last unchoked the remote, it last asked us for a piece while unchoked, or our last piece to it went out (seconds). */
  quietSince = 0
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

  /** The remote's id as the choker takes it (kept here: reading it from the remote costs a cache miss per link per choke round). */
  readonly remoteKey: string
  /** One-way latency, seconds: both ends' access latencies. */
  readonly latency: number

  constructor (readonly owner: SimPeer, readonly remote: SimPeer, world: World) {
    this.remoteKey = remote.key
    this.latency = owner.spec.latency + remote.spec.latency
    const { slab, at } = world.bitStorage()
    const bytes = remote.have.toBytes()
    this.slab = slab
    this.bitsAt = at
    this.remoteHas = fieldAt(slab, at, world.pieceCount)
    slab.set(bytes, at)
    this.remoteCount = remote.have.count
    this.isSeed = remote.have.complete
    this.offer = owner.have.without(this.remoteHas).count
    this.nowMs = world.nowMs
    this.connectedAt = world.nowMs()
  }

  /** `remoteHas.has(index)`, read from the bits in place. */
  remoteHasPiece (index: number): boolean {
    return bitIn(this.slab, this.bitsAt, index)
  }

  /** The remote announced `index` (a Have): false if it was known. */
  remoteGained (index: number): boolean {
    if (bitIn(this.slab, this.bitsAt, index)) return false
    this.slab[this.bitsAt + (index >> 3)] |= 0x80 >> (index & 7)
    this.isSeed = ++this.remoteCount === this.remoteHas.length
    return true
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

/** Bit `index` of the field kept in `slab` from byte `at`, in Bitfield's order (most significant first). */
function bitIn (slab: Uint8Array, at: number, index: number): boolean {
  return (slab[at + (index >> 3)] & (0x80 >> (index & 7))) !== 0
}

/** An empty Bitfield of `length` bits kept in `slab` from byte `at` (the view is made once: Bitfield zeroes its storage). */
function fieldAt (slab: Uint8Array, at: number, length: number): Bitfield {
  return new Bitfield(length, undefined, slab.subarray(at, at + Math.ceil(length / 8)))
}

/** Where one field's bits are: `slab` from byte `at`. */
export interface BitSlot {
  readonly slab: Uint8Array
  readonly at: number
}

/** Room for the bits of `pieceCount` pieces, handed out of 64 KiB slabs (never reused: links closed under churn keep theirs). */
export function bitStorage (pieceCount: number): () => BitSlot {
  const size = Math.ceil(pieceCount / 8)
  let slab = new Uint8Array(0)
  let used = 0
  return () => {
    if (used + size > slab.byteLength) {
      slab = new Uint8Array(Math.max(size, 64 * 1024))
      used = 0
    }
    const at = used
    used += size
    return { slab, at }
  }
}
