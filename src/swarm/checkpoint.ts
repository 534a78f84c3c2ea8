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
  /** ms since the last durable save after which a save is durable again (0: every save). */
  durableInterval: number
  /** Pieces recorded but not durable that make the next save durable. */
  durablePieces: number
  /** ms clock (tests pass their own). */
  now?(): number
  log: Logger
}

/**
 * Keeps a download's have record close behind its bitfield, in batches: a save at most
 * `interval` ms after a piece is stored, or at once after `maxPending` pieces. A crash of the
 * process loses at most the last batch. Most saves are quick: the record claims the new
 * pieces as not yet durable, with no fsync (the page cache keeps record and bytes when only
 * the process dies; a load re-verifies such pieces, which a power loss may have lost). Every
 * `durableInterval` ms, or once `durablePieces` wait, a save is durable: it snapshots the
 * bitfield, makes the data durable, then writes the record with fsyncs. So no record ever
 * claims as durable a piece whose bytes are not, and fsyncs (which cost a busy node more CPU
 * than its records) come a few times a minute instead of ten times a second.
 */
export class HaveCheckpoint {
  private readonly init: CheckpointInit
  private pending = 0
  private timer?: NodeJS.Timeout
  private saving?: Promise<void>
  private again = false
  private closed = false
  private closing?: Promise<void>
  /** What the last durable save claimed. */
  private durable: Bitfield
  /**
   * The first save is durable whatever the clock says: pieces the swarm started with may be
   * on record already, or not yet durable (a selection widened while its last save ran).
   */
  private durableAt = Number.NEGATIVE_INFINITY
  /** The last save was quick: the record claims pieces not yet durable. */
  private quickSaved = false

  constructor (init: CheckpointInit) {
    this.init = init
    this.durable = new Bitfield(init.have.length, init.have.toBytes())
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
    if (saveFinal && (this.pending > 0 || this.quickSaved)) await this.save(true).catch(err => { this.init.log.error('final checkpoint failed - %e', err) })
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

  private async save (final = false): Promise<void> {
    const snapshot = new Bitfield(this.init.have.length, this.init.have.toBytes())
    const unsynced = snapshot.without(this.durable)
    const pending = this.pending
    this.pending = 0
    try {
      if (final || this.durableDue(unsynced)) {
        await this.init.sync()
        await this.init.file.save(snapshot)
        this.durable = snapshot
        this.durableAt = this.now()
        this.quickSaved = false
      } else {
        await this.init.file.save(snapshot, unsynced)
        this.quickSaved = unsynced.count > 0
      }
    } catch (err) {
      // those pieces are still unrecorded: the next save tries again
      this.pending += pending
      throw err
    }
  }

  private durableDue (unsynced: Bitfield): boolean {
    return this.now() - this.durableAt >= this.init.durableInterval || unsynced.count >= this.init.durablePieces
  }

  private now (): number {
    return this.init.now?.() ?? performance.now()
  }
}
