/**
 * Why a dial failed, in the words a user can act on. libp2p's errors are matched by name and
 * code (never by class: two copies of a package may be installed).
 */
export type DialFailure =
  /** Nothing listens there (ECONNREFUSED), or the host or network cannot be reached. */
  | 'refused'
  /** No answer within the dial's deadline. */
  | 'timeout'
  /**
   * The connection opened, then its encryption failed: with a pre-shared key on one side only
   * (or two different keys) the bytes the peers exchange make no sense to each other.
   */
  | 'encryption'
  | 'other'

const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EADDRNOTAVAIL', 'ENOTFOUND'])

export function dialFailureOf (err: unknown): DialFailure {
  const { name, code, errors } = (err ?? {}) as { name?: string, code?: string, errors?: unknown[] }
  // a dial of several addresses fails with every address's reason: the most telling one wins
  if (Array.isArray(errors) && errors.length > 0) return mostTelling(errors.map(dialFailureOf))
  if (name === 'EncryptionFailedError' || name === 'InvalidCryptoExchangeError') return 'encryption'
  if (name === 'TimeoutError' || name === 'AbortError' || code === 'ETIMEDOUT') return 'timeout'
  if (code !== undefined && REFUSED_CODES.has(code)) return 'refused'
  return 'other'
}

const RANK: readonly DialFailure[] = ['encryption', 'refused', 'timeout', 'other']

/** Of several failures, the one that says most (a key mismatch explains a refusal elsewhere). */
export function mostTelling (failures: DialFailure[]): DialFailure {
  return RANK.find(f => failures.includes(f)) ?? 'other'
}
