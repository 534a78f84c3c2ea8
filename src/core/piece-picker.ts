import type { Bitfield } from './bitfield.js'

export interface PiecePickerInit {
  /** Most peers one piece is requested from at once in endgame (the node's PICKING). */
  maxDuplicateRequests: number
  /** Pieces picked at random before rarest first applies (the node's PICKING). */
  randomFirstPieces: number
  /** Source of randomness for tie-breaking; injectable for reproducible tests. @default Math.random */
  random?: () => number
  /** Fetch in piece order (streaming, previews) rather than rarest first. @default false */
  sequential?: boolean
}

/**
 * Which piece to ask a peer for next. Pure state, no I/O: availability counts over the
 * peers' bitfields, how many requests are out for each piece, and what we have.
 *
 * Policy: random until we hold `randomFirstPieces` pieces, then rarest first among the
 * pieces the peer has, ties broken in a per-node random order (so leechers spread over
 * different pieces and have something to trade); in sequential mode, lowest index first.
 * Once every missing piece is requested somewhere (endgame), pieces may be requested from
 * more peers (up to `maxDuplicateRequests`); the swarm cancels the others when one arrives.
 * Pieces a reader waits for (`setPriorities`) come before all of that.
 */
export class PiecePicker {
  readonly pieceCount: number
  private readonly have: Bitfield
  private readonly availability: Uint32Array
  private readonly requests: Uint8Array
  /** Pieces received and verified, being written: no longer wanted from anyone. */
  private readonly settled: Uint8Array
  private readonly tiebreak: Uint32Array
  /** Per piece: how soon a reader needs it (0 none; higher first). Set by `setPriorities`. */
  private readonly priority: Uint8Array
  private prioritized: number[] = []
  private readonly maxDuplicates: number
  /** Missing pieces with no request out: 0 means endgame. */
  private unrequested: number
  /** Lowest index first instead of rarest first. */
  sequential: boolean
  private readonly randomFirst: number
  /** Only these pieces are fetched (selected files); undefined: every piece. */
  private wanted?: Bitfield

  constructor (have: Bitfield, init: PiecePickerInit) {
    this.pieceCount = have.length
    this.have = have
    this.availability = new Uint32Array(have.length)
    this.requests = new Uint8Array(have.length)
    this.settled = new Uint8Array(have.length)
    this.priority = new Uint8Array(have.length)
    this.maxDuplicates = init.maxDuplicateRequests
    this.sequential = init.sequential ?? false
    this.randomFirst = init.randomFirstPieces
    this.tiebreak = randomRanks(have.length, init.random ?? Math.random)
    this.unrequested = have.length - have.count
  }

  get endgame (): boolean {
    return this.unrequested === 0 && !this.have.complete
  }

  /**
   * Fetch only the pieces in `wanted` (those of the selected files) from now on; undefined
   * wants every piece. Requests already out stay; what is no longer wanted is not asked again.
   */
  setWanted (wanted: Bitfield | undefined): void {
    this.wanted = wanted
    this.unrequested = 0
    for (let i = 0; i < this.pieceCount; i++) {
      if (this.counts(i) && this.requests[i] === 0 && this.settled[i] === 0 && !this.have.has(i)) this.unrequested++
    }
  }

  /** A piece missing here that the selection wants: counted in `unrequested`. */
  private counts (index: number): boolean {
    return this.wanted === undefined || this.wanted.has(index)
  }

  addPeer (peerHas: Bitfield): void {
    for (let i = 0; i < this.pieceCount; i++) if (peerHas.has(i)) this.availability[i]++
  }

  removePeer (peerHas: Bitfield): void {
    for (let i = 0; i < this.pieceCount; i++) if (peerHas.has(i) && this.availability[i] > 0) this.availability[i]--
  }

  peerGained (index: number): void {
    this.availability[index]++
  }

  /**
   * Nothing more to ask of our peers, and pieces still wanted: every piece we want and lack
   * that a peer has is requested already (or being stored), and some are held by none of
   * them. A swarm full of partners then needs one more (see PeerFinder). Not while there is
   * work: at a flash crowd's start most pieces have no source among a leecher's partners, and
   * searching then sent every leecher to the seeder (the simulator's 10,000: 1.46 copies from
   * it, against 1.12).
   */
  needsSource (): boolean {
    if (this.have.complete) return false
    let unsourced = false
    for (let i = 0; i < this.pieceCount; i++) {
      if (this.settled[i] === 1 || this.have.has(i) || !this.counts(i)) continue
      if (this.availability[i] === 0) unsourced = true
      else if (this.requests[i] === 0) return false
    }
    return unsourced
  }

  availabilityOf (index: number): number {
    return this.availability[index]
  }

  /** Requests out for piece `index` now (at most 255 counted). */
  requestsFor (index: number): number {
    return this.requests[index]
  }

  markRequested (index: number): void {
    if (this.requests[index] === 0 && !this.have.has(index) && this.settled[index] === 0 && this.counts(index)) this.unrequested--
    if (this.requests[index] < 255) this.requests[index]++
  }

  /** A request ended without the piece (timeout, reject, disconnect, bad data). */
  markReleased (index: number): void {
    if (this.requests[index] === 0) return
    this.requests[index]--
    if (this.requests[index] === 0 && !this.have.has(index) && this.settled[index] === 0 && this.counts(index)) this.unrequested++
  }

  /**
   * The piece arrived and passed its hash; it is being written. Nobody is asked for it again
   * unless the write fails (`markReleased` after `unsettle`).
   */
  markSettled (index: number): void {
    if (this.requests[index] === 0 && !this.have.has(index) && this.settled[index] === 0 && this.counts(index)) this.unrequested--
    this.settled[index] = 1
  }

  /** The write of a settled piece failed: it is wanted again. */
  unsettle (index: number): void {
    if (this.settled[index] === 0) return
    this.settled[index] = 0
    if (this.requests[index] === 0 && !this.have.has(index) && this.counts(index)) this.unrequested++
  }

  /** The piece is verified and stored; it leaves the picker's view for good. */
  markHave (index: number): void {
    if (this.requests[index] === 0 && !this.have.has(index) && this.settled[index] === 0 && this.counts(index)) this.unrequested--
    this.requests[index] = 0
    this.settled[index] = 0
    this.have.set(index)
  }

  /** The stored piece turned out bad (e.g. changed on disk): it is wanted again. */
  markMissing (index: number): void {
    if (!this.have.has(index)) return
    this.have.unset(index)
    this.requests[index] = 0
    if (this.counts(index)) this.unrequested++
  }

  /**
   * Pieces readers wait for (a streamed response): each index's level (1 to 255, higher is
   * sooner) replaces the last call's whole set. Such pieces come before any other, whatever
   * the mode; among equals the usual order holds.
   */
  setPriorities (levels: ReadonlyMap<number, number>): void {
    for (const index of this.prioritized) this.priority[index] = 0
    this.prioritized = []
    for (const [index, level] of levels) {
      if (index < 0 || index >= this.pieceCount || level <= 0) continue
      this.priority[index] = Math.min(level, 255)
      this.prioritized.push(index)
    }
  }

  priorityOf (index: number): number {
    return this.priority[index]
  }

  /**
   * Up to `count` pieces to request from a peer that has `peerHas`, skipping those
   * `alreadyAsked` says are already requested from this same peer.
   */
  pick (peerHas: Bitfield, count: number, alreadyAsked: (index: number) => boolean): number[] {
    if (count <= 0 || this.have.complete) return []
    const limit = this.endgame ? this.maxDuplicates : 1
    // keep the best `count` candidates in order: fewest requests first (endgame spreads
    // duplicates), then rarest, then this node's random order; O(pieces x count)
    const best: number[] = []
    for (let i = 0; i < this.pieceCount; i++) {
      if (this.requests[i] >= limit || this.settled[i] === 1 || this.have.has(i) || !peerHas.has(i) || !this.counts(i) || alreadyAsked(i)) continue
      if (best.length === count && !this.better(i, best[count - 1])) continue
      let at = best.length === count ? count - 1 : best.length
      while (at > 0 && this.better(i, best[at - 1])) {
        best[at] = best[at - 1]
        at--
      }
      best[at] = i
    }
    return best
  }

  private better (a: number, b: number): boolean {
    const { requests, availability, tiebreak, priority } = this
    if (priority[a] !== priority[b]) return priority[a] > priority[b]
    if (requests[a] !== requests[b]) return requests[a] < requests[b]
    if (this.sequential) return a < b
    if (this.have.count >= this.randomFirst && availability[a] !== availability[b]) return availability[a] < availability[b]
    return tiebreak[a] < tiebreak[b]
  }
}

/** A random rank for each piece (a shuffled permutation). */
function randomRanks (count: number, random: () => number): Uint32Array {
  const ranks = new Uint32Array(count)
  for (let i = 0; i < count; i++) ranks[i] = i
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const swap = ranks[i]
    ranks[i] = ranks[j]
    ranks[j] = swap
  }
  return ranks
}
