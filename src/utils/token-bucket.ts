import { sleep } from './sleep.js'

/**
 * A rate limit in bytes per second, shared by everyone who takes from it. Takers may go
 * into debt: `take` returns at once while tokens remain and otherwise waits until the debt
 * is paid back, so concurrent takers are served in turn and the long-run rate is exact
 * (the burst allowance only shapes the first moments after an idle spell).
 */
export class TokenBucket {
  private tokens: number
  private updatedAt: number

  /**
   * @param rate bytes per second; 0 means unlimited
   * @param burst most tokens saved up while idle
   */
  constructor (readonly rate: number, readonly burst: number, private readonly now: () => number = performance.now.bind(performance)) {
    this.tokens = burst
    this.updatedAt = this.now()
  }

  get unlimited (): boolean {
    return this.rate === 0
  }

  /** Take `bytes` now; returns the ms the caller must wait before using them (0 = go ahead). */
  reserve (bytes: number): number {
    if (this.unlimited) return 0
    this.refill()
    this.tokens -= bytes
    return this.tokens >= 0 ? 0 : -this.tokens / this.rate * 1000
  }

  /** Take `bytes` and wait until the rate allows them. */
  async take (bytes: number, signal?: AbortSignal): Promise<void> {
    const wait = this.reserve(bytes)
    if (wait > 0) await sleep(wait, signal)
  }

  /** Give back bytes taken for something that did not happen (a request refused, say). */
  refund (bytes: number): void {
    if (this.unlimited) return
    this.refill()
    this.tokens = Math.min(this.burst, this.tokens + bytes)
  }

  /** ms until there is no debt left (0 when tokens are available now). */
  waitTime (): number {
    if (this.unlimited) return 0
    this.refill()
    return this.tokens >= 0 ? 0 : -this.tokens / this.rate * 1000
  }

  private refill (): void {
    const now = this.now()
    this.tokens = Math.min(this.burst, this.tokens + (now - this.updatedAt) / 1000 * this.rate)
    this.updatedAt = now
  }
}

/**
 * The bucket for a configured rate: bursts of a tenth of a second. Takers go into debt, so a
 * take larger than the burst (a whole piece requested, a frame sent) needs no bigger burst;
 * a bigger one is free bytes after every idle spell (a 256 KiB floor let a 128 KiB/s download
 * of 2 MiB run at 150 KiB/s: its first two pieces came at once).
 */
export function rateLimit (rate: number): TokenBucket {
  return new TokenBucket(rate, rate / 10)
}
