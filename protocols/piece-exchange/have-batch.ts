import { HAVE_BATCH_MS } from './constants.js'

/**
 * Haves waiting to go out together: for `delayMs` (HAVE_BATCH_MS), or until any other
 * write takes them along. Batching delays haves, it never reorders them.
 */
export class HaveBatch {
  private readonly pending: number[] = []
  private timer?: NodeJS.Timeout

  /** `due` is called once the first waiting have has waited `delayMs`. */
  constructor (private readonly due: () => void, private readonly delayMs = HAVE_BATCH_MS) {}

  get size (): number {
    return this.pending.length
  }

  add (index: number): void {
    this.pending.push(index)
    this.timer ??= setTimeout(() => {
      this.timer = undefined
      this.due()
    }, this.delayMs)
  }

  /** The waiting haves, in the order added; none wait afterwards. */
  take (): number[] {
    if (this.pending.length === 0) return []
    const taken = this.pending.splice(0)
    this.stop()
    return taken
  }

  /** No call to `due` from now on (haves still waiting stay). */
  stop (): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }
}
