import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { round } from './monitor.js'
import { ShoalProcess } from './processes.js'

/** The project root, seen from dist/bench/. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url))
/** What `shoal` on PATH runs: the package's bin, with the node flags on its `#!` line. */
const BIN = join(ROOT, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { shoal: string } }).bin.shoal)
const BIN_FLAGS = readFileSync(BIN, 'utf8').split('\n', 1)[0].replace(/^#!.*?\bnode\b/, '').trim().split(/\s+/).filter(f => f !== '')
/** The goal for every client command's own start-up (issue 13). */
export const STARTUP_GOAL_MS = 200

export interface StartupRow {
  name: string
  medianMs: number
  minMs: number
  maxMs: number
  runs: number
  /** Whether the goal applies: false for the baselines and for `stop`'s round trip. */
  client: boolean
}

export interface StartupResult {
  rows: StartupRow[]
  goalMs: number
}

/** Wall time of one process run to its exit, in ms; rejects when it exits with another code than `expect`. */
async function timeRun (command: string, args: string[], expect: number, cwd = ROOT): Promise<number> {
  const started = performance.now()
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const code = await new Promise<number | null>(resolve => child.once('close', resolve))
  const ms = performance.now() - started
  if (code !== expect) throw new Error(`${command} ${args.join(' ')} exited ${code}, expected ${expect}: ${stderr.trim()}`)
  return ms
}

function summary (name: string, times: number[], client: boolean): StartupRow {
  const sorted = [...times].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  return { name, medianMs: round(median, 1), minMs: round(sorted[0], 1), maxMs: round(sorted.at(-1) as number, 1), runs: times.length, client }
}

/** `runs` timed runs after one untimed one (which warms the file cache). */
async function measure (name: string, runs: number, client: boolean, once: () => Promise<number>): Promise<StartupRow> {
  await once()
  const times: number[] = []
  for (let i = 0; i < runs; i++) times.push(await once())
  return summary(name, times, client)
}

/**
 * Every client command's own start-up: the bin run directly by node (as a `shoal` on PATH
 * runs it), against a running node, beside `node -e ""` (node's own start-up) and
 * `npx shoal --version` (what npx adds). `stop` is timed as a round trip, until the node has
 * stopped, so it includes the node's shutdown; a fresh node is started (untimed) for each run.
 */
export async function startupTimes (dir: string, runs: number): Promise<StartupResult> {
  await mkdir(dir, { recursive: true })
  const node = async (args: string[], expect = 0): Promise<number> => await timeRun(process.execPath, args, expect)
  const shoal = async (args: string[], expect = 0): Promise<number> => await node([...BIN_FLAGS, BIN, ...args], expect)
  const broken = join(dir, 'broken.json')
  await writeFile(broken, '{ "dataDir": "./data", ')
  const unknownKey = join(dir, 'unknown-key.json')
  await writeFile(unknownKey, JSON.stringify({ dataDir: './data', limits: { uploadrate: 1024 } }))
  const rows: StartupRow[] = [
    await measure('node -e ""', runs, false, async () => await node(['-e', ''])),
    await measure('npx shoal --version', runs, false, async () => await timeRun('npx', ['--no-install', 'shoal', '--version'], 0)),
    await measure('shoal --version', runs, true, async () => await shoal(['--version'])),
    await measure('shoal --help', runs, true, async () => await shoal(['--help'])),
    await measure('shoal status, a config that is not JSON', runs, true, async () => await shoal(['status', '--config', broken], 1)),
    await measure('shoal start, a config with an unknown key', runs, true, async () => await shoal(['start', '--config', unknownKey], 1)),
    await measure('shoal get, a malformed content id', runs, true, async () => await shoal(['get', 'not-a-cid', '--config', broken], 1)),
    await measure('shoal swarm-key generate', runs, true, async () => await shoal(['swarm-key', 'generate']))
  ]
  const folder = async (name: string): Promise<string> => {
    await mkdir(join(dir, name), { recursive: true })
    return join(dir, name)
  }
  const running = await ShoalProcess.start('startup', await folder('node'))
  try {
    rows.push(await measure('shoal status (running node)', runs, true, async () => await shoal(['status', '--config', running.configPath])))
    rows.push(await measure('shoal status --json (running node)', runs, true, async () => await shoal(['status', '--json', '--config', running.configPath])))
  } finally {
    await running.stop()
  }
  rows.push(await measure('shoal stop (round trip: until the node has stopped)', Math.ceil(runs / 2), false, async () => {
    const target = await ShoalProcess.start('stop', await folder('stop'))
    try {
      return await shoal(['stop', '--config', target.configPath])
    } finally {
      await target.stop()
    }
  }))
  return { rows, goalMs: STARTUP_GOAL_MS }
}
