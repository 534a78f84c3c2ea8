/** A peer sent peer-exchange messages faster than the interval allows, or too many peers at once did. */
export class RateLimitedError extends Error {
  static override name = 'RateLimitedError'
  override name = 'RateLimitedError'
}
