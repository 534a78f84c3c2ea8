/**
 * The simulator's clock: events in time order (a binary heap), equal times in the order they
 * were scheduled, so a run is deterministic. Times are in seconds of simulated time.
 */
export class EventQueue {
  /** Simulated time of the event being run (or of the last one). */
  now = 0
  private times: number[] = []
  private seqs: number[] = []
  private actions: Array<() => void> = []
  private seq = 0

  get size (): number {
    return this.times.length
  }

  /** Run `action` `delay` seconds from now (never before now). */
  after (delay: number, action: () => void): void {
    this.at(this.now + Math.max(0, delay), action)
  }

  at (time: number, action: () => void): void {
    const { times, seqs, actions } = this
    let i = times.length
    times.push(time)
    seqs.push(this.seq++)
    actions.push(action)
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(i, parent)) break
      this.swap(i, parent)
      i = parent
    }
  }

  /** Run events in order until none is left, `until` returns true, or time passes `limit`. */
  run (until: () => boolean = () => false, limit = Infinity): void {
    while (this.times.length > 0 && !until()) {
      if (this.times[0] > limit) return
      this.now = this.times[0]
      this.pop()()
    }
  }

  private pop (): () => void {
    const { times, seqs, actions } = this
    const action = actions[0]
    const last = times.length - 1
    this.swap(0, last)
    times.pop()
    seqs.pop()
    actions.pop()
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      const right = left + 1
      let least = i
      if (left < times.length && this.before(left, least)) least = left
      if (right < times.length && this.before(right, least)) least = right
      if (least === i) return action
      this.swap(i, least)
      i = least
    }
  }

  private before (a: number, b: number): boolean {
    return this.times[a] < this.times[b] || (this.times[a] === this.times[b] && this.seqs[a] < this.seqs[b])
  }

  private swap (a: number, b: number): void {
    const { times, seqs, actions } = this
    const t = times[a]; times[a] = times[b]; times[b] = t
    const s = seqs[a]; seqs[a] = seqs[b]; seqs[b] = s
    const x = actions[a]; actions[a] = actions[b]; actions[b] = x
  }
}
