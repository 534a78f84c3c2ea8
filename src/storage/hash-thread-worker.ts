import { createHash } from 'node:crypto'
import { parentPort } from 'node:worker_threads'
import type { HashJob, HashResult } from './hash-thread.js'

// SHA-256 of a piece handed over with its buffer, which goes back with the digest (no copy either way).
parentPort?.on('message', (job: HashJob) => {
  const digest = createHash('sha256').update(new Uint8Array(job.buffer, job.offset, job.length)).digest()
  const result: HashResult = { id: job.id, digest, buffer: job.buffer }
  parentPort?.postMessage(result, [job.buffer])
})
