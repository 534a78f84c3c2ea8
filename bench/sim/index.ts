import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import { runJobs } from './jobs.js'
import { SCENARIOS } from './scenarios.js'
import type { SimJob } from './jobs.js'
import type { ScenarioResult } from './run.js'
import type { ScenarioName } from './scenarios.js'

/**
 * `npm run simulate -- --peers 1000,10000 [--scenario flash-crowd,churn,heterogeneous]
 * [--seed 1] [--size-mib 64] [--piece-kib 256] [--threads N] [--json]`: Shoal's core over a
 * fluid network. A table on stdout; with --json the last line is the whole result as JSON.
 * The runs go side by side, one per core (`--threads`, default every core).
 */
const MiB = 1024 * 1024

async function main (): Promise<void> {
  const { values } = parseArgs({
    options: {
      peers: { type: 'string', default: '1000' },
      scenario: { type: 'string', default: Object.keys(SCENARIOS).join(',') },
      seed: { type: 'string', default: '1' },
      'size-mib': { type: 'string', default: '64' },
      'piece-kib': { type: 'string', default: '256' },
      threads: { type: 'string', default: String(availableParallelism()) },
      json: { type: 'boolean', default: false }
    }
  })
  const peerCounts = values.peers.split(',').map(s => positive('--peers', s))
  const names = values.scenario.split(',').map(name => {
    if (!(name in SCENARIOS)) throw new Error(`unknown scenario "${name}": one of ${Object.keys(SCENARIOS).join(', ')}`)
    return name as ScenarioName
  })
  const seed = positive('--seed', values.seed)
  const fileBytes = positive('--size-mib', values['size-mib']) * MiB
  const pieceSize = positive('--piece-kib', values['piece-kib']) * 1024
  const threads = positive('--threads', values.threads)
  const jobs: SimJob[] = peerCounts.flatMap(peers => names.map(name => ({ name, peers, fileBytes, pieceSize, seed })))
  const scenarios = await runJobs(jobs, threads, printRow)
  if (values.json) console.log(JSON.stringify({ seed, fileBytes, pieceSize, scenarios }))
}

function printRow (result: ScenarioResult): void {
  const { scenario, peers, boundSeconds, lastSeconds, meanSeconds, ratio, seederCopies, wastedShare, wallSeconds, completed, uploadUse } = result
  console.log(`${scenario.padEnd(14)} N=${String(peers).padEnd(6)} bound ${boundSeconds.toFixed(1)} s  last ${lastSeconds.toFixed(1)} s (${ratio.toFixed(2)}x)  mean ${meanSeconds.toFixed(1)} s  seeder ${seederCopies.toFixed(2)} copies  wasted ${(wastedShare * 100).toFixed(2)}%  upload used ${(uploadUse * 100).toFixed(0)}%  done ${completed}  wall ${wallSeconds.toFixed(1)} s`)
}

function positive (flag: string, text: string): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} must be a positive whole number, not "${text}"`)
  return value
}

main().catch(err => {
  console.error(`simulate: ${(err as Error).message}`)
  process.exitCode = 1
})
