import { Worker } from 'node:worker_threads'
import { hashPiece } from '../core/piece-hash.js'
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

/**
 * Hashes pieces on a thread of its own, so verifying what arrives does not hold up the event
 * loop that receives it (on the 1 -> 1 path SHA-256 was a third of the leecher's main thread).
 * A piece's whole buffer goes to the thread and comes back (moved, never copied): the caller
 * owns it. Pieces in a buffer that cannot move, and every piece while the thread starts or
 * after it failed, are hashed inline. The thread holds the process open only while it has work.
 */
export class HashThread implements PieceHashing {
  private worker?: Worker
  private online = false
  private nextId = 0
  private readonly pending = new Map<number, Pending>()

  constructor (private readonly log?: Logger) {
    // no flags of the main thread's (some, such as --input-type, would stop it): it needs none
    const worker = new Worker(new URL('./hash-thread-worker.js', import.meta.url), { execArgv: [] })
    worker.unref()
    worker.on('online', () => { this.online = true })
    worker.on('message', (result: HashResult) => { this.settle(result) })
    worker.on('error', (err) => { this.fail(err) })
    worker.on('exit', (code) => { this.fail(new Error(`the hashing thread exited with code ${code}`)) })
    this.worker = worker
  }

  async hash (piece: Uint8Array): Promise<HashedPiece> {
    const worker = this.worker
    const buffer = piece.buffer
    if (worker === undefined || !this.online || !(buffer instanceof ArrayBuffer)) return { digest: hashPiece(piece), piece }
    const id = this.nextId++
    const job: HashJob = { id, buffer, offset: piece.byteOffset, length: piece.byteLength }
    return await new Promise<HashedPiece>((resolve, reject) => {
      try {
        worker.postMessage(job, [buffer])
      } catch {
        // a buffer that cannot move (one of node's shared slabs): hashed here
        resolve({ digest: hashPiece(piece), piece })
        return
      }
      if (this.pending.size === 0) worker.ref()
      this.pending.set(id, { offset: job.offset, length: job.length, resolve, reject })
    })
  }

  /** Ends the thread; pieces still with it are lost (their hashes reject). */
  async stop (): Promise<void> {
    const worker = this.worker
    this.abandon(new Error('the hashing thread stopped'))
    if (worker !== undefined) await worker.terminate()
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

  private fail (err: Error): void {
    if (this.worker === undefined) return
    this.log?.error('hashing on the main thread from now on: %s', err.message)
    this.abandon(err)
  }

  private abandon (err: Error): void {
    this.worker = undefined
    this.online = false
    for (const [id, job] of this.pending) {
      this.forget(id)
      job.reject(err)
    }
  }
}
