/**
 * What one peer asked us for: requests queued in order, and those taken from the queue to
 * be read and sent, with the ones the peer cancelled meanwhile.
 */
export class UploadQueue {
  private readonly queue: number[] = []
  private readonly taken = new Set<number>()
  private readonly cancelled = new Set<number>()

  /** Requests waiting, in order. */
  get pending (): readonly number[] {
    return this.queue
  }

  /** Nothing waiting and nothing being read or sent. */
  get idle (): boolean {
    return this.queue.length === 0 && this.taken.size === 0
  }

  includes (index: number): boolean {
    return this.queue.includes(index)
  }

  push (index: number): void {
    this.queue.push(index)
  }

  /** Take the request at `pick(queue)` to read and send it. */
  take (pick: (queue: readonly number[]) => number): number | undefined {
    if (this.queue.length === 0) return undefined
    const [index] = this.queue.splice(pick(this.queue), 1)
    this.taken.add(index)
    return index
  }

  /**
   * The peer cancelled `index`: off the queue; if it was already taken (read ahead), marked,
   * so it is dropped before it goes out (else the peer waits behind bytes it no longer wants,
   * and its next request looks stalled). True if it was still waiting in the queue.
   */
  cancel (index: number): boolean {
    const at = this.queue.indexOf(index)
    if (at >= 0) {
      this.queue.splice(at, 1)
      return true
    }
    if (this.taken.has(index)) this.cancelled.add(index)
    return false
  }

  isCancelled (index: number): boolean {
    return this.cancelled.has(index)
  }

  /** Done with a taken request, sent or not. */
  finish (index: number): void {
    this.taken.delete(index)
    this.cancelled.delete(index)
  }

  /** Empty the queue; returns what was waiting. */
  clear (): number[] {
    return this.queue.splice(0)
  }
}
