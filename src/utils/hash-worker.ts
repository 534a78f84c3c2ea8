import { createHash } from 'node:crypto'
import { parentPort } from 'node:worker_threads'

/** One hashing job: a view into shared memory, so nothing is copied between threads. */
export interface HashJob {
  id: number
  buffer: SharedArrayBuffer
  offset: number
  length: number
}

parentPort?.on('message', (job: HashJob) => {
  const digest = createHash('sha256').update(new Uint8Array(job.buffer, job.offset, job.length)).digest()
  parentPort?.postMessage({ id: job.id, digest })
})
