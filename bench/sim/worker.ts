import { parentPort, workerData } from 'node:worker_threads'
import { runScenario } from './run.js'
import { SCENARIOS } from './scenarios.js'
import type { SimJob } from './jobs.js'

/** One simulation run on a thread of its own (see jobs.ts): the job in, its result out. */
const { name, peers, fileBytes, pieceSize, seed } = workerData as SimJob
parentPort?.postMessage(runScenario(SCENARIOS[name](peers, fileBytes), { fileBytes, pieceSize, seed }))
