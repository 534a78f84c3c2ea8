import { createHash } from 'node:crypto'
import { Worker } from 'node:worker_threads'
import type { HashJob } from './hash-worker.js'

/**
 * SHA-256 off the main thread. Data in shared memory (the swarm's piece buffers) is hashed
 * by a worker thread that reads it in place: WebCrypto's digest also runs off-thread but
 * first copies its input on the main thread, which cost as much as hashing there.
 */
export class Sha256Worker {
  private worker?: Worker
  private nextId = 0
  private readonly pending = new Map<number, { resolve(digest: Uint8Array): void, reject(err: Error): void }>()

  async digest (data: Uint8Array): Promise<Uint8Array> {
    if (!(data.buffer instanceof SharedArrayBuffer)) return createHash('sha256').update(data).digest()
    const worker = this.start()
    const id = this.nextId++
    const job: HashJob = { id, buffer: data.buffer, offset: data.byteOffset, length: data.byteLength }
    return await new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      if (this.pending.size === 1) worker.ref()
      worker.postMessage(job)
    })
  }

  /** End the worker; jobs still running fail. */
  async stop (): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    await worker?.terminate()
  }

  private start (): Worker {
    if (this.worker !== undefined) return this.worker
    const worker = new Worker(new URL('./hash-worker.js', import.meta.url))
    worker.on('message', ({ id, digest }: { id: number, digest: Uint8Array }) => {
      this.pending.get(id)?.resolve(digest)
      this.pending.delete(id)
      // an idle worker must not keep the process alive
      if (this.pending.size === 0) worker.unref()
    })
    const failAll = (err: Error): void => {
      for (const job of this.pending.values()) job.reject(err)
      this.pending.clear()
      if (this.worker === worker) this.worker = undefined
    }
    worker.on('error', failAll)
    worker.on('exit', () => { failAll(new Error('hash worker exited')) })
    worker.unref()
    this.worker = worker
    return worker
  }
}
