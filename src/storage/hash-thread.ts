import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { hashPiece } from '../core/piece-hash.js'
import { RateMeter } from '../utils/rate-meter.js'
import type { HashedPiece, PieceHashing } from '../core/piece-hash.js'
import type { Logger } from '@libp2p/interface'

/** A piece for the hashing thread, its buffer handed over whole (transferred, not copied). */
export interface HashJob {
  id: number
  buffer: ArrayBuffer
  offset: number
  length: number
}

/** The digest, and the buffer handed back. */
export interface HashResult {
  id: number
  digest: Uint8Array
  buffer: ArrayBuffer
}

interface Pending {
  offset: number
  length: number
  resolve(hashed: HashedPiece): void
  reject(err: Error): void
}

export interface HashThreadInit {
  /** Bytes per second hashed from which the thread is used (started the first time): config/defaults HASHING.threadFromRate. */
  fromRate: number
  log?: Logger
}

/**
 * Hashes pieces on a thread of its own while pieces come fast, so verifying them does not hold
 * up the event loop that receives them (on the 1 -> 1 path SHA-256 was a third of the
 * leecher's main thread). Slower, each handover costs more than the hash it moves (the thread
 * must be woken for each piece), so pieces are hashed inline, and a node that never
 * downloads fast never starts the thread.
 *
 * A piece's whole buffer goes to the thread and comes back (moved, never copied): the caller
 * owns it. A buffer that cannot move is copied there, or hashed inline where node refuses to
 * send it. The thread holds the process open only while it has work.
 */
export class HashThread implements PieceHashing {
  private worker?: Worker
  private up = false
  private stopped = false
  private nextId = 0
  private readonly pending = new Map<number, Pending>()
  private readonly meter = new RateMeter(1000)
  private readonly fromRate: number
  private readonly log?: Logger

  constructor (init: HashThreadInit) {
    this.fromRate = init.fromRate
    this.log = init.log
  }

  /** Whether the thread runs: pieces that come fast go to it (before, and once it stops, they are hashed inline). */
  get online (): boolean {
    return this.up
  }

  /** Start the thread now rather than when pieces first come fast; resolves once it runs. */
  async start (): Promise<void> {
    const worker = this.spawn()
    if (worker !== undefined && !this.up) await once(worker, 'online')
  }

  async hash (piece: Uint8Array): Promise<HashedPiece> {
    this.meter.add(piece.byteLength)
    const worker = this.meter.rate() >= this.fromRate ? this.spawn() : undefined
    const buffer = piece.buffer
    if (worker === undefined || !this.up || !(buffer instanceof ArrayBuffer)) return { digest: hashPiece(piece), piece }
    const id = this.nextId++
    const job: HashJob = { id, buffer, offset: piece.byteOffset, length: piece.byteLength }
    return await new Promise<HashedPiece>((resolve, reject) => {
      try {
        worker.postMessage(job, [buffer])
      } catch {
        resolve({ digest: hashPiece(piece), piece })
        return
      }
      if (this.pending.size === 0) worker.ref()
      this.pending.set(id, { offset: job.offset, length: job.length, resolve, reject })
    })
  }

  /** Ends the thread for good; pieces still with it are lost (their hashes reject), later ones are hashed inline. */
  async stop (): Promise<void> {
    this.stopped = true
    const worker = this.worker
    this.abandon(new Error('the hashing thread stopped'))
    if (worker !== undefined) await worker.terminate()
  }

  /** The thread, started if it is not yet (none once stopped or failed). */
  private spawn (): Worker | undefined {
    if (this.worker !== undefined || this.stopped) return this.worker
    // no flags of the main thread's (some, such as --input-type, would stop it): it needs none
    const worker = new Worker(new URL('./hash-thread-worker.js', import.meta.url), { execArgv: [] })
    worker.unref()
    worker.on('online', () => { this.up = true })
    worker.on('message', (result: HashResult) => { this.settle(result) })
    worker.on('error', (err) => { this.fail(worker, err) })
    worker.on('exit', (code) => { this.fail(worker, new Error(`the hashing thread exited with code ${code}`)) })
    this.worker = worker
    return worker
  }

  private settle (result: HashResult): void {
    const job = this.pending.get(result.id)
    if (job === undefined) return
    this.forget(result.id)
    job.resolve({ digest: result.digest, piece: new Uint8Array(result.buffer, job.offset, job.length) })
  }

  private forget (id: number): void {
    this.pending.delete(id)
    if (this.pending.size === 0) this.worker?.unref()
  }

  private fail (worker: Worker, err: Error): void {
    if (this.worker !== worker || this.stopped) return
    this.log?.error('hashing on the main thread from now on - %e', err)
    this.stopped = true
    this.abandon(err)
  }

  private abandon (err: Error): void {
    this.worker = undefined
    this.up = false
    for (const [id, job] of this.pending) {
      this.forget(id)
      job.reject(err)
    }
  }
}
