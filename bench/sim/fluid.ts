import type { EventQueue } from './event-queue.js'

/** A host's access link in the fluid model: bytes per second each way (Infinity: uncapped). */
export interface Endpoint {
  readonly up: number
  readonly down: number
  /** Transfers this host is sending and receiving now (kept by FluidNetwork). */
  readonly sending: Transfer[]
  readonly receiving: Transfer[]
  /** Bumped whenever the host's next completion is rescheduled: older events are void. */
  version: number
}

export interface Transfer {
  readonly from: Endpoint
  readonly to: Endpoint
  /** Bytes still to send, as of `since`. */
  left: number
  rate: number
  since: number
  readonly done: () => void
}

export function endpoint (up: number, down: number): Endpoint {
  return { up, down, sending: [], receiving: [], version: 0 }
}

/** Bytes under which a transfer counts as finished (floating-point slack). */
const SLACK = 1e-6

/**
 * Transfers over access links, as fluids: a transfer's rate is its sender's upload shared
 * equally among the sender's transfers, or its receiver's download shared among the
 * receiver's, whichever is less (no max-min refill of a share a capped receiver leaves
 * unused: a small underestimate of what TCP would reach). Rates change only when a transfer
 * starts or ends at either end; each sender has one pending event, its next completion.
 */
export class FluidNetwork {
  constructor (private readonly queue: EventQueue) {}

  /** Start sending `bytes` from `from` to `to`; `done` runs when the last byte has left. */
  start (from: Endpoint, to: Endpoint, bytes: number, done: () => void): Transfer {
    const transfer: Transfer = { from, to, left: bytes, rate: 0, since: this.queue.now, done }
    this.changing(from, to, () => {
      from.sending.push(transfer)
      to.receiving.push(transfer)
    })
    return transfer
  }

  /** Seconds a transfer at `from` alone would take: for bounds and tests. */
  static alone (from: Endpoint, to: Endpoint, bytes: number): number {
    return bytes / Math.min(from.up, to.down)
  }

  /** Bring every transfer whose rate `change` affects up to now, apply it, reschedule. */
  private changing (from: Endpoint, to: Endpoint, change: () => void): void {
    const now = this.queue.now
    // a transfer in both lists is brought up to now twice: the second time moves nothing
    for (const t of from.sending) advance(t, now)
    for (const t of to.receiving) advance(t, now)
    change()
    const senders: Endpoint[] = [from]
    for (const t of from.sending) t.rate = rateOf(t)
    for (const t of to.receiving) {
      t.rate = rateOf(t)
      if (!senders.includes(t.from)) senders.push(t.from)
    }
    for (const sender of senders) this.schedule(sender)
  }

  private schedule (sender: Endpoint): void {
    const version = ++sender.version
    if (sender.sending.length === 0) return
    let soonest = Infinity
    for (const t of sender.sending) soonest = Math.min(soonest, t.left / t.rate)
    this.queue.after(soonest, () => { if (sender.version === version) this.completeAt(sender) })
  }

  /** The sender's soonest transfer(s) have finished: remove them, then tell their owners. */
  private completeAt (sender: Endpoint): void {
    const now = this.queue.now
    for (const t of sender.sending) advance(t, now)
    const finished = sender.sending.filter(t => t.left <= SLACK + t.rate * 1e-9)
    for (const t of finished) {
      this.changing(sender, t.to, () => {
        sender.sending.splice(sender.sending.indexOf(t), 1)
        t.to.receiving.splice(t.to.receiving.indexOf(t), 1)
      })
    }
    if (finished.length === 0) this.schedule(sender)
    for (const t of finished) t.done()
  }
}

function advance (t: Transfer, now: number): void {
  t.left = Math.max(0, t.left - t.rate * (now - t.since))
  t.since = now
}

function rateOf (t: Transfer): number {
  return Math.min(t.from.up / t.from.sending.length, t.to.down / t.to.receiving.length)
}
