/** Slots the window is divided into: the rate moves smoothly as old slots drop out. */
const SLOTS = 20

/**
 * Bytes per second over a sliding window (default 5 s), for status and for the choker.
 * Constant memory: per-slot byte counts in a ring.
 */
export class RateMeter {
  /** A plain array, not a typed one: the simulator keeps one meter per link, 800,000 at 10,000 peers, and a typed array's buffer costs three objects more. */
  private readonly slots: number[] = new Array<number>(SLOTS).fill(0)
  /** The slots' sum, kept as they change: rate() is asked per peer per choke round and per refill. */
  private windowBytes = 0
  private readonly slotMs: number
  private current: number
  private total = 0
  private readonly startedAt: number

  /** @param startedAt - when counting began (ms on `now`'s clock), if before now: a meter made on the first bytes of a link open since then */
  constructor (private readonly windowMs = 5000, private readonly now: () => number = performance.now.bind(performance), startedAt?: number) {
    this.slotMs = windowMs / SLOTS
    this.startedAt = startedAt ?? this.now()
    this.current = Math.floor(this.startedAt / this.slotMs)
  }

  add (bytes: number): void {
    this.advance()
    this.slots[this.current % SLOTS] += bytes
    this.windowBytes += bytes
    this.total += bytes
  }

  /** Bytes per second over the window (or over the meter's life, if shorter). */
  rate (): number {
    this.advance()
    const sum = this.windowBytes
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
    if (slot === this.current) return
    if (slot - this.current >= SLOTS) {
      this.slots.fill(0)
      this.windowBytes = 0
    } else {
      for (let s = this.current + 1; s <= slot; s++) {
        this.windowBytes -= this.slots[s % SLOTS]
        this.slots[s % SLOTS] = 0
      }
    }
    this.current = Math.max(this.current, slot)
  }
}
