import { parseArgs } from 'node:util'
import { runScenario } from './run.js'
import { SCENARIOS } from './scenarios.js'
import type { ScenarioName } from './scenarios.js'

/**
 * `npm run simulate -- --peers 1000,10000 [--scenario flash-crowd,churn,heterogeneous]
 * [--seed 1] [--size-mib 64] [--piece-kib 256] [--json]`: Shoal's core over a fluid network.
 * A table on stdout; with --json the last line is the whole result as JSON.
 */
const MiB = 1024 * 1024

function main (): void {
  const { values } = parseArgs({
    options: {
      peers: { type: 'string', default: '1000' },
      scenario: { type: 'string', default: Object.keys(SCENARIOS).join(',') },
      seed: { type: 'string', default: '1' },
      'size-mib': { type: 'string', default: '64' },
      'piece-kib': { type: 'string', default: '256' },
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
  const scenarios = []
  for (const peers of peerCounts) {
    for (const name of names) {
      const result = runScenario(SCENARIOS[name](peers, fileBytes), { fileBytes, pieceSize, seed })
      scenarios.push(result)
      const { scenario, boundSeconds, lastSeconds, meanSeconds, ratio, seederCopies, wastedShare, wallSeconds, completed, uploadUse } = result
      console.log(`${scenario.padEnd(14)} N=${String(peers).padEnd(6)} bound ${boundSeconds.toFixed(1)} s  last ${lastSeconds.toFixed(1)} s (${ratio.toFixed(2)}x)  mean ${meanSeconds.toFixed(1)} s  seeder ${seederCopies.toFixed(2)} copies  wasted ${(wastedShare * 100).toFixed(2)}%  upload used ${(uploadUse * 100).toFixed(0)}%  done ${completed}  wall ${wallSeconds.toFixed(1)} s`)
    }
  }
  if (values.json) console.log(JSON.stringify({ seed, fileBytes, pieceSize, scenarios }))
}

function positive (flag: string, text: string): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} must be a positive whole number, not "${text}"`)
  return value
}

try {
  main()
} catch (err) {
  console.error(`simulate: ${(err as Error).message}`)
  process.exitCode = 1
}
