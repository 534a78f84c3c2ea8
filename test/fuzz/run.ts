/**
 * `npm run fuzz`: every fuzz target for FUZZ_RUNS inputs each (default 100000), then a total.
 * FUZZ_TARGETS (comma-separated substrings of target names) picks some; FUZZ_SEED replays.
 */
import { targets } from './targets/index.js'

const DEFAULT_RUNS = 100_000

async function main (): Promise<number> {
  const runs = Number(process.env.FUZZ_RUNS ?? DEFAULT_RUNS)
  if (!Number.isSafeInteger(runs) || runs <= 0) {
    process.stderr.write(`FUZZ_RUNS must be a positive integer, not ${process.env.FUZZ_RUNS}\n`)
    return 2
  }
  const seed = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
  const wanted = (process.env.FUZZ_TARGETS ?? '').split(',').map(s => s.trim()).filter(s => s !== '')
  const chosen = targets.filter(t => wanted.length === 0 || wanted.some(w => t.name.includes(w)))
  let total = 0
  let failures = 0
  for (const target of chosen) {
    const started = performance.now()
    try {
      const result = await target.run(runs, seed)
      total += result.runs
      const seen = target.summary?.()
      process.stdout.write(`${target.name}: ${result.runs} inputs, 0 failures (${((performance.now() - started) / 1000).toFixed(1)} s, seed ${result.seed})${seen === undefined ? '' : `; ${seen}`}\n`)
    } catch (err) {
      failures++
      process.stdout.write(`${target.name}: FAILED\n${(err as Error).message}\n`)
    }
  }
  process.stdout.write(`total: ${total} inputs over ${chosen.length} targets, ${failures} failing target(s)\n`)
  return failures === 0 ? 0 : 1
}

process.exitCode = await main()
