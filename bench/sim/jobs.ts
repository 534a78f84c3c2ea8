import { Worker } from 'node:worker_threads'
import { runScenario } from './run.js'
import { SCENARIOS } from './scenarios.js'
import type { ScenarioResult } from './run.js'
import type { ScenarioName } from './scenarios.js'

export interface SimJob {
  name: ScenarioName
  peers: number
  fileBytes: number
  pieceSize: number
  seed: number
}

/**
 * Run every job, up to `threads` at once, each on a worker thread of its own (a run is
 * single-threaded and independent of the others: the same seed gives the same figures on
 * any thread). `onResult` sees the results in the jobs' order, each as soon as it and those
 * before it are done. With one thread the jobs run here, one after the other (for profiling).
 */
export async function runJobs (jobs: readonly SimJob[], threads: number, onResult: (result: ScenarioResult) => void): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = new Array(jobs.length)
  let reported = 0
  const done = (at: number, result: ScenarioResult): void => {
    results[at] = result
    for (; reported < jobs.length && results[reported] !== undefined; reported++) onResult(results[reported])
  }
  if (threads <= 1) {
    jobs.forEach((job, at) => { done(at, runJob(job)) })
    return results
  }
  let next = 0
  const lane = async (): Promise<void> => {
    for (let at = next++; at < jobs.length; at = next++) done(at, await runOnThread(jobs[at]))
  }
  await Promise.all(Array.from({ length: Math.min(threads, jobs.length) }, lane))
  return results
}

/** One job, in this thread. */
export function runJob ({ name, peers, fileBytes, pieceSize, seed }: SimJob): ScenarioResult {
  return runScenario(SCENARIOS[name](peers, fileBytes), { fileBytes, pieceSize, seed })
}

async function runOnThread (job: SimJob): Promise<ScenarioResult> {
  return await new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: job })
    let result: ScenarioResult | undefined
    worker.once('message', (message: ScenarioResult) => { result = message })
    worker.once('error', reject)
    worker.once('exit', code => {
      if (result !== undefined) resolve(result)
      else reject(new Error(`the ${job.name} run of ${job.peers} peers ended (exit code ${code}) without a result`))
    })
  })
}
