/** Slots the window is divided into: the rate moves smoothly as old slots drop out. */
const SLOTS = 20

/**
 * Bytes per second over a sliding window (default 5 s), for status and for the choker.
 * Constant memory: per-slot byte counts in a ring.
 */
export class RateMeter {
  private readonly slots = new Float64Array(SLOTS)
  private readonly slotMs: number
  private current: number
  private total = 0
  private readonly startedAt: number

  constructor (private readonly windowMs = 5000, private readonly now: () => number = performance.now.bind(performance)) {
    this.slotMs = windowMs / SLOTS
    this.startedAt = this.now()
    this.current = Math.floor(this.startedAt / this.slotMs)
  }

  add (bytes: number): void {
    this.advance()
    this.slots[this.current % SLOTS] += bytes
    this.total += bytes
  }

  /** Bytes per second over the window (or over the meter's life, if shorter). */
  rate (): number {
    this.advance()
    let sum = 0
    for (const bytes of this.slots) sum += bytes
    // the ring holds the full past slots plus the part of the current one gone by
    const now = this.now()
    const covered = (SLOTS - 1) * this.slotMs + (now - this.current * this.slotMs)
    const span = Math.min(covered, Math.max(now - this.startedAt, this.slotMs))
    return sum / span * 1000
  }

  /** Every byte ever added. */
  get bytes (): number {
    return this.total
  }

  private advance (): void {
    const slot = Math.floor(this.now() / this.slotMs)
    if (slot - this.current >= SLOTS) {
      this.slots.fill(0)
    } else {
      for (let s = this.current + 1; s <= slot; s++) this.slots[s % SLOTS] = 0
    }
    this.current = Math.max(this.current, slot)
  }
}
