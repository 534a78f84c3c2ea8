import { SCORING } from '../config/defaults.js'

/** Misbehaviour a peer session can see for itself, short of a fatal protocol violation. */
export type Offence = 'false-claim' | 'choked-request' | 'stall'

export interface ScoreLimits {
  /** See SCORING.maxFalseClaims. */
  maxFalseClaims: number
  /** See SCORING.maxChokedRequests. */
  maxChokedRequests: number
  /** See SCORING.maxStalls. */
  maxStalls: number
}

const DESCRIBE: Record<Offence, (count: number) => string> = {
  'false-claim': (n) => `refused ${n} piece(s) it had announced, as not available`,
  'choked-request': (n) => `asked for ${n} piece(s) while choked`,
  stall: (n) => `held our requests ${n} times without sending their data (silent, or slower than ${SCORING.minPieceRate} B/s)`
}

/**
 * What one peer did wrong, counted per offence. Pure: the session records offences, and a
 * verdict (a reason to disconnect and ban) comes back once a limit is reached.
 */
export class PeerScore {
  private readonly counts = new Map<Offence, number>()

  constructor (private readonly limits: ScoreLimits = SCORING) {}

  /** Count one offence; returns the reason to ban the peer once it has done this too often. */
  record (offence: Offence): string | undefined {
    const count = (this.counts.get(offence) ?? 0) + 1
    this.counts.set(offence, count)
    return count >= this.limitOf(offence) ? DESCRIBE[offence](count) : undefined
  }

  count (offence: Offence): number {
    return this.counts.get(offence) ?? 0
  }

  private limitOf (offence: Offence): number {
    switch (offence) {
      case 'false-claim': return this.limits.maxFalseClaims
      case 'choked-request': return this.limits.maxChokedRequests
      case 'stall': return this.limits.maxStalls
    }
  }
}
