import { StreamStateError } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { waitForDrain } from '../../src/utils/frames.js'
import type { ReadWatch } from '../../src/core/wire.js'
import type { Stream } from '@libp2p/interface'

/** Pieces of queued control messages that are joined into one. */
const COMPACT_PARTS = 256

/**
 * What one wire has written to its stream and the stream has not yet taken: control messages
 * wait here while the stream is blocked (the peer's receive window is full), piece runs are
 * written only once it is not, so what is queued to a peer stays small and countable
 * (`queued`); and, for a piece send, whether the peer reads at all (ReadWatch).
 */
export class Outbox {
  /** Control messages not yet written to the stream, and how many pieces `pending` holds them in. */
  private pending = new Uint8ArrayList()
  private parts = 0
  /** Bytes written to the stream in all. */
  private written = 0
  /** The current stretch of waiting on the peer: since when, and what it had taken then. */
  private window?: { since: number, taken: number }
  /** The watch that last saw the peer stall, until the peer reads again. */
  private stalledWatch?: ReadWatch

  constructor (private readonly stream: Stream) {}

  /** Bytes queued to the peer: messages not written yet, and what the stream holds. */
  get queued (): number {
    return this.pending.byteLength + this.stream.writeBufferLength
  }

  /** Bytes of control messages waiting for the stream to take what it holds. */
  get waiting (): number {
    return this.pending.byteLength
  }

  /** The peer's receive window is full: what we write now waits in the stream. */
  get blocked (): boolean {
    return this.stream.writableNeedsDrain
  }

  /**
   * Queue control bytes; they go out with the next `flush`. Kept in few pieces: a message is a
   * few bytes, and each piece costs a hundred bytes of memory or so, which `queued` does not see.
   */
  append (bytes: Uint8Array | Uint8ArrayList): void {
    this.pending.append(bytes)
    if (++this.parts < COMPACT_PARTS) return
    this.pending = new Uint8ArrayList(this.pending.subarray())
    this.parts = 1
  }

  /**
   * Write the queued control messages, unless the stream is blocked (then they wait for its
   * drain, as they would in the stream, but counted) or `force` says to write them anyway.
   */
  flush (force = false): void {
    if (this.pending.byteLength === 0 || this.stream.writeStatus !== 'writable' || (this.blocked && !force)) return
    const frames = this.pending
    this.pending = new Uint8ArrayList()
    this.parts = 0
    this.write(frames)
  }

  /** Write a run of piece data (or anything that must follow what is queued); false when the stream is now blocked. */
  write (bytes: Uint8Array | Uint8ArrayList): boolean {
    // the peer took all we wrote before: a wait on it from here starts afresh
    if (this.stream.writeBufferLength === 0) this.window = undefined
    this.written += bytes.byteLength
    return this.stream.send(bytes)
  }

  /**
   * Resolves once the stream is not blocked. With `watch`, every `stallMs` of waiting in
   * which the peer took less than `minRate` bytes a second calls `onStall`; the wait goes on
   * (until the stream drains, or closes: that rejects).
   */
  async writable (watch?: ReadWatch): Promise<void> {
    while (this.blocked) {
      if (this.stream.writeStatus !== 'writable') throw new StreamStateError('stream closed while waiting to send')
      if (watch === undefined) {
        await waitForDrain(this.stream)
        continue
      }
      const window = this.window ??= { since: Date.now(), taken: this.taken }
      const left = window.since + watch.stallMs - Date.now()
      if (left > 0 && await drainedWithin(this.stream, left)) continue
      // timers run before I/O: the window updates that arrived while we were busy land first
      await new Promise(resolve => setImmediate(resolve))
      if (!this.blocked) continue
      const rate = (this.taken - window.taken) * 1000 / Math.max(1, Date.now() - window.since)
      this.window = { since: Date.now(), taken: this.taken }
      if (rate >= watch.minRate) continue
      this.stalledWatch = watch
      watch.onStall()
    }
    // the peer has caught up: the next wait on it starts afresh
    if (this.stream.writeBufferLength === 0) this.window = undefined
  }

  /**
   * The stream drained: the peer reads. Called from the stream's 'drain' event, so a watch
   * that saw it stall hears of it before the peer's next messages are handled.
   */
  drained (): void {
    const watch = this.stalledWatch
    this.stalledWatch = undefined
    watch?.onRead?.()
  }

  /** Bytes the stream has handed on to the transport. */
  private get taken (): number {
    return this.written - this.stream.writeBufferLength
  }
}

/** True once the stream drains, false after `ms`; rejects if it closes first. */
async function drainedWithin (stream: Stream, ms: number): Promise<boolean> {
  try {
    await waitForDrain(stream, AbortSignal.timeout(ms))
    return true
  } catch (err) {
    if ((err as Error)?.name === 'TimeoutError') return false
    throw err
  }
}
