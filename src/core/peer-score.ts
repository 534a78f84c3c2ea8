/** Misbehaviour a peer session can see for itself, short of a fatal protocol violation. */
export type Offence = 'false-claim' | 'choked-request' | 'stall' | 'read-stall'

/** How much of each offence a peer may commit (the node's SCORING). */
export interface ScoreLimits {
  readonly maxFalseClaims: number
  readonly maxChokedRequests: number
  readonly maxStalls: number
  /** Bytes a second below which a piece in progress counts as stalled: named in the ban's reason. */
  readonly minPieceRate: number
  /** Stalls in reading what we send it (the node's READING.maxStalls); unset, never a verdict. */
  readonly maxReadStalls?: number
  /** Bytes a second below which a peer we send to counts as not reading: named in the ban's reason. */
  readonly minReadRate?: number
}

const DESCRIBE: Record<Offence, (count: number, limits: ScoreLimits) => string> = {
  'false-claim': (n) => `refused ${n} piece(s) it had announced, as not available`,
  'choked-request': (n) => `asked for ${n} piece(s) while choked`,
  stall: (n, limits) => `held our requests ${n} times without sending their data (silent, or slower than ${limits.minPieceRate} B/s)`,
  'read-stall': (n, limits) => `did not read what we sent it, ${n} times (took less than ${limits.minReadRate ?? 0} B/s)`
}

/**
 * What one peer did wrong, counted per offence. Pure: the session records offences, and a
 * verdict (a reason to disconnect and ban) comes back once a limit is reached.
 */
export class PeerScore {
  private readonly counts = new Map<Offence, number>()

  constructor (private readonly limits: ScoreLimits) {}

  /** Count one offence; returns the reason to ban the peer once it has done this too often. */
  record (offence: Offence): string | undefined {
    const count = (this.counts.get(offence) ?? 0) + 1
    this.counts.set(offence, count)
    return count >= this.limitOf(offence) ? DESCRIBE[offence](count, this.limits) : undefined
  }

  count (offence: Offence): number {
    return this.counts.get(offence) ?? 0
  }

  private limitOf (offence: Offence): number {
    switch (offence) {
      case 'false-claim': return this.limits.maxFalseClaims
      case 'choked-request': return this.limits.maxChokedRequests
      case 'stall': return this.limits.maxStalls
      case 'read-stall': return this.limits.maxReadStalls ?? Infinity
    }
  }
}
