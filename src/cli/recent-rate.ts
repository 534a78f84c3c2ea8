/**
 * The rate a progress bar shows: bytes gained over about the last `windowMs`, counted from
 * the first count seen (a get that re-attaches to a running download starts there, not at 0).
 * Unknown until the count has grown once.
 */
export class RecentRate {
  private readonly samples: Array<{ at: number, bytes: number }> = []
  private first?: number

  constructor (private readonly windowMs: number, private readonly now: () => number = performance.now.bind(performance)) {}

  /** The bytes had now. */
  note (bytes: number): void {
    this.first ??= bytes
    const at = this.now()
    this.samples.push({ at, bytes })
    this.trim(at)
  }

  /** Bytes per second, or undefined while nothing has come since the first count. */
  rate (): number | undefined {
    const now = this.now()
    this.trim(now)
    const base = this.samples[0]
    const last = this.samples.at(-1)
    if (base === undefined || last === undefined || last.bytes === this.first) return undefined
    const ms = now - base.at
    return ms <= 0 ? undefined : (last.bytes - base.bytes) / ms * 1000
  }

  /** Samples older than the window go, but for the newest of them: the rate spans the whole window. */
  private trim (now: number): void {
    while (this.samples.length > 1 && this.samples[1].at <= now - this.windowMs) this.samples.shift()
  }
}
