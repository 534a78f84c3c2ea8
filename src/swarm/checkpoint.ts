import { Bitfield } from '../core/bitfield.js'
import type { HaveRecord } from './records.js'
import type { Logger } from '@libp2p/interface'

export interface CheckpointInit {
  file: HaveRecord
  /** The swarm's live bitfield: every bit in it is a verified, written piece. */
  have: Bitfield
  /** Make every piece written so far durable (fdatasync of the files touched). */
  sync(): Promise<void>
  /** ms from the first piece after a save to the next save. */
  interval: number
  /** Pieces stored since the last save that trigger a save at once. */
  maxPending: number
  log: Logger
}

/**
 * Keeps a download's have record close behind its bitfield, in batches: a save at most
 * `interval` ms after a piece is stored, or at once after `maxPending` pieces. Each save
 * snapshots the bitfield, makes the data durable, then writes the record; so the record
 * only ever claims pieces whose bytes are on disk, and a crash loses at most the last batch.
 */
export class HaveCheckpoint {
  private readonly init: CheckpointInit
  private pending = 0
  private timer?: NodeJS.Timeout
  private saving?: Promise<void>
  private again = false
  private closed = false
  private closing?: Promise<void>

  constructor (init: CheckpointInit) {
    this.init = init
  }

  /** A piece was verified and written. */
  stored (): void {
    if (this.closed) return
    this.pending++
    if (this.pending >= this.init.maxPending) this.kick()
    else if (this.timer === undefined) this.schedule()
  }

  /** Save what is pending and stop; later pieces are not recorded. Every call waits for the same final save. */
  async close (): Promise<void> {
    this.closing ??= this.finish()
    await this.closing
  }

  /**
   * Stop without a final save: the caller records something that supersedes the have record
   * (a completed download's). Waits for a save under way, so none lands after this resolves.
   */
  async stop (): Promise<void> {
    this.closing ??= this.finish(false)
    await this.closing
  }

  private async finish (saveFinal = true): Promise<void> {
    this.closed = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.saving
    if (saveFinal && this.pending > 0) await this.save().catch(err => { this.init.log.error('final checkpoint failed - %e', err) })
  }

  private schedule (): void {
    this.timer = setTimeout(() => { this.kick() }, this.init.interval)
    this.timer.unref()
  }

  private kick (): void {
    clearTimeout(this.timer)
    this.timer = undefined
    if (this.closed) return
    if (this.saving !== undefined) {
      this.again = true
      return
    }
    this.saving = this.save()
      .catch(err => { this.init.log.error('checkpoint failed, the last record stands - %e', err) })
      .finally(() => {
        this.saving = undefined
        if (this.again && !this.closed) {
          this.again = false
          this.schedule()
        }
      })
  }

  private async save (): Promise<void> {
    const snapshot = new Bitfield(this.init.have.length, this.init.have.toBytes())
    const pending = this.pending
    this.pending = 0
    try {
      await this.init.sync()
      await this.init.file.save(snapshot)
    } catch (err) {
      // those pieces are still unrecorded: the next save tries again
      this.pending += pending
      throw err
    }
  }
}
