import { HAVE_BATCH_MS } from './constants.js'

/**
 * Haves waiting to go out together, or until any other write takes them along. After
 * `delayMs` (HAVE_BATCH_MS) with none sent, a have goes at once (with those added in the same
 * turn of the event loop); within `delayMs` of the last sent, it waits for the rest of that
 * time. So a swarm at a few pieces a second per peer hears of each piece without delay, while
 * a fast download still sends its haves a batch per `delayMs`. Batching delays haves, it never
 * reorders them.
 */
export class HaveBatch {
  private readonly pending: number[] = []
  private timer?: NodeJS.Timeout
  private immediate?: NodeJS.Immediate
  /** When waiting haves last went out (ms on `now`'s clock). */
  private sentAt = Number.NEGATIVE_INFINITY

  /** `due` is called when the waiting haves should go out. */
  constructor (
    private readonly due: () => void,
    private readonly delayMs = HAVE_BATCH_MS,
    private readonly now: () => number = () => performance.now()
  ) {}

  get size (): number {
    return this.pending.length
  }

  add (index: number): void {
    this.pending.push(index)
    if (this.timer !== undefined || this.immediate !== undefined) return
    const wait = this.sentAt + this.delayMs - this.now()
    if (wait <= 0) this.immediate = setImmediate(this.fire)
    else this.timer = setTimeout(this.fire, wait)
  }

  private readonly fire = (): void => {
    this.timer = undefined
    this.immediate = undefined
    this.due()
  }

  /** The waiting haves, in the order added; none wait afterwards. */
  take (): number[] {
    if (this.pending.length === 0) return []
    const taken = this.pending.splice(0)
    this.sentAt = this.now()
    this.stop()
    return taken
  }

  /** No call to `due` from now on (haves still waiting stay). */
  stop (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    clearImmediate(this.immediate)
    this.immediate = undefined
  }
}
