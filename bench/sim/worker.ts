import { parentPort, workerData } from 'node:worker_threads'
import { runJob } from './jobs.js'
import type { SimJob } from './jobs.js'

/** One simulation run on a thread of its own (see jobs.ts): the job in, its result out. */
parentPort?.postMessage(runJob(workerData as SimJob))
