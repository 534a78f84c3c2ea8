export interface StrikesInit {
  /** Strikes within `windowMs` that make a verdict. */
  limit: number
  /** ms from a peer's first strike after which its count starts again. */
  windowMs: number
  /** Peers remembered at once; past it the one whose last strike is oldest is forgotten. */
  maxPeers: number
  now?: () => number
}

interface Tally {
  count: number
  since: number
}

/**
 * Offences counted per peer within a window, for offences that an honest peer may commit
 * now and then (a stalled request under load) but not again and again. Bounded: peer ids
 * cost an attacker nothing, so the table forgets its stalest entries rather than grow.
 */
export class Strikes {
  private readonly tallies = new Map<string, Tally>()
  private readonly now: () => number

  constructor (private readonly init: StrikesInit) {
    this.now = init.now ?? Date.now
  }

  /** Count one strike against `peer`; returns its count, and whether that reached the limit. */
  record (peer: string): { count: number, reached: boolean } {
    const now = this.now()
    const previous = this.tallies.get(peer)
    const tally = previous === undefined || now - previous.since > this.init.windowMs ? { count: 0, since: now } : previous
    tally.count++
    // re-inserted: the Map's order is then the order of last strikes, oldest first
    this.tallies.delete(peer)
    if (tally.count >= this.init.limit) return { count: tally.count, reached: true }
    this.tallies.set(peer, tally)
    while (this.tallies.size > this.init.maxPeers) this.tallies.delete(this.tallies.keys().next().value as string)
    return { count: tally.count, reached: false }
  }

  /** The peer showed good faith: its count starts again. */
  forgive (peer: string): void {
    this.tallies.delete(peer)
  }

  count (peer: string): number {
    const tally = this.tallies.get(peer)
    return tally === undefined || this.now() - tally.since > this.init.windowMs ? 0 : tally.count
  }

  get size (): number {
    return this.tallies.size
  }
}
