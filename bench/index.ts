/**
 * `npm run bench`: Shoal's transfer rate against the stack it runs on, in real processes.
 *
 *   BENCH_MIB        size of the 1 seeder -> 1 leecher transfer and the baselines (default 512)
 *   BENCH_SWARM_MIB  size of the 1 seeder -> 3 leechers transfer (default 128)
 *
 * A readable table goes to stderr; the last line of stdout is one JSON object with every figure.
 */
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { round } from './monitor.js'
import { atExit } from './processes.js'
import { rawStream } from './raw-stream.js'
import { shoalTransfer } from './shoal-transfer.js'
import type { StreamResult } from './raw-stream.js'
import type { TransferResult } from './shoal-transfer.js'

const MiB = 1024 * 1024
const TARGET_RATIO = 0.6
const SWARM_LEECHERS = 3

function mibFromEnv (name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of MiB`)
  return value
}

const log = (line: string): void => { process.stderr.write(`${line}\n`) }

/** Run a measurement, saying on stderr what is being measured. */
async function step<T> (what: string, run: () => Promise<T>): Promise<T> {
  log(`bench: ${what}...`)
  return await run()
}

/** A Shoal transfer in its own folder under `root`, removed afterwards. */
async function transfer (root: string, name: string, bytes: number, leechers: number): Promise<TransferResult> {
  const dir = join(root, name)
  try {
    return await shoalTransfer(dir, bytes, leechers)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function table (rows: Array<Array<string | number>>): string {
  const cells = rows.map(r => r.map(String))
  const widths = cells[0].map((_, c) => Math.max(...cells.map(r => (r[c] ?? '').length)))
  const last = cells[0].length - 1
  return cells.map(r => r.map((cell, c) => c === 0 || c === last ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join('   ').trimEnd()).join('\n')
}

/** CPU seconds (all threads of both ends) spent per GiB carried. */
const cpuPerGiB = (cpuSeconds: number, bytes: number): number => round(cpuSeconds / (bytes / (1024 * MiB)))
const streamCpu = (r: StreamResult): number => r.receiverCpuSeconds + r.senderCpuSeconds
const transferCpu = (t: TransferResult): number => t.nodes.reduce((sum, n) => sum + n.cpuSeconds, 0)

function summarise (mib: number, swarmMib: number, tcp: StreamResult, runs: StreamResult[], shoal: TransferResult, swarm: TransferResult) {
  const best = runs.reduce((a, b) => b.mibps > a.mibps ? b : a)
  const rawCpuPerGiB = Math.min(...runs.map(r => cpuPerGiB(streamCpu(r), r.bytes)))
  const shoalCpuPerGiB = cpuPerGiB(transferCpu(shoal), shoal.bytes)
  return {
    mib,
    swarmMib,
    node: process.version,
    cpus: availableParallelism(),
    tcp: { ...tcp, cpuPerGiB: cpuPerGiB(streamCpu(tcp), tcp.bytes) },
    rawLibp2p: { runs: runs.map(r => ({ ...r, cpuPerGiB: cpuPerGiB(streamCpu(r), r.bytes) })), best: best.mibps, cpuPerGiB: rawCpuPerGiB },
    shoal: { ...shoal, cpuPerGiB: shoalCpuPerGiB },
    /** The target figure: Shoal's rate over the faster raw libp2p run. */
    ratio: round(shoal.mibps / best.mibps, 3),
    /** Raw libp2p CPU per byte over Shoal's: the ratio a CPU-bound machine would show. */
    cpuRatio: round(rawCpuPerGiB / shoalCpuPerGiB, 3),
    targetRatio: TARGET_RATIO,
    swarm: { ...swarm, cpuPerGiB: cpuPerGiB(transferCpu(swarm), swarm.bytes * swarm.leechers) }
  }
}

function report (figures: ReturnType<typeof summarise>): void {
  const { tcp, rawLibp2p, shoal, swarm, ratio, cpuRatio } = figures
  const streamRow = (name: string, r: StreamResult & { cpuPerGiB: number }): Array<string | number> =>
    [name, r.mibps.toFixed(1), r.seconds.toFixed(2), `${r.receiverCpuSeconds.toFixed(2)} + ${r.senderCpuSeconds.toFixed(2)}`, r.cpuPerGiB.toFixed(2), '', '']
  const transferRows = (name: string, t: TransferResult & { cpuPerGiB: number }, note: string): Array<Array<string | number>> => [
    [name, t.mibps.toFixed(1), t.seconds.toFixed(2), transferCpu(t).toFixed(2), t.cpuPerGiB.toFixed(2), '', note],
    ...t.nodes.map(n => [`  ${n.name}`, '', '', n.cpuSeconds.toFixed(2), '', `${n.peakRssMiB.toFixed(0)} MiB`, `up ${n.uploadedMiB.toFixed(1)} / down ${n.downloadedMiB.toFixed(1)} MiB`])
  ]
  log('')
  log(`Shoal benchmark: ${figures.mib} MiB (swarm ${figures.swarmMib} MiB x ${SWARM_LEECHERS}), Node ${process.version}, ${figures.cpus} CPUs`)
  log('')
  log(table([
    ['measurement', 'MiB/s', 'seconds', 'CPU s', 'CPU s/GiB', 'peak RSS', 'notes'],
    streamRow('plain TCP, node:net', tcp),
    ...rawLibp2p.runs.map((r, i) => streamRow(`raw libp2p stream, run ${i + 1}`, r)),
    ...transferRows('Shoal 1 seeder -> 1 leecher', shoal, `piece size ${shoal.pieceSize / 1024} KiB`),
    ...transferRows(`Shoal 1 seeder -> ${SWARM_LEECHERS} leechers`, swarm, `aggregate; leechers done at ${swarm.leecherSeconds.join(', ')} s`)
  ]))
  log('')
  log(`  RATIO  Shoal / raw libp2p = ${shoal.mibps.toFixed(1)} / ${rawLibp2p.best.toFixed(1)} MiB/s = ${ratio.toFixed(3)}   (target >= ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'MET' : 'NOT MET'})`)
  log(`  CPU efficiency  raw libp2p / Shoal = ${rawLibp2p.cpuPerGiB.toFixed(2)} / ${shoal.cpuPerGiB.toFixed(2)} CPU s per GiB = ${cpuRatio.toFixed(3)}`)
  log(`  swarm: leechers got ${(swarm.leecherShare * 100).toFixed(1)}% of their bytes from each other`)
  log('  CPU s: user + system, all threads, during the transfer (streams: receiver + sender).')
  log(`  Shoal times run from issuing \`shoal get\` to its exit, including the CLI's start-up (~${shoal.cliSeconds.toFixed(2)} s).`)
  log('')
}

async function main (): Promise<void> {
  const mib = mibFromEnv('BENCH_MIB', 512)
  const swarmMib = mibFromEnv('BENCH_SWARM_MIB', 128)
  const bytes = Math.round(mib * MiB)
  const swarmBytes = Math.round(swarmMib * MiB)
  const root = await mkdtemp(join(tmpdir(), 'shoal-bench-'))
  atExit(() => { rmSync(root, { recursive: true, force: true }) })

  const raw1 = await step(`raw libp2p stream, ${mib} MiB (run 1)`, async () => await rawStream('libp2p', bytes))
  const tcp = await step(`plain TCP, ${mib} MiB`, async () => await rawStream('tcp', bytes))
  const shoal = await step(`Shoal 1 seeder -> 1 leecher, ${mib} MiB`, async () => await transfer(root, 'single', bytes, 1))
  const raw2 = await step(`raw libp2p stream, ${mib} MiB (run 2)`, async () => await rawStream('libp2p', bytes))
  const swarm = await step(`Shoal 1 seeder -> ${SWARM_LEECHERS} leechers, ${swarmMib} MiB`, async () => await transfer(root, 'swarm', swarmBytes, SWARM_LEECHERS))

  const figures = summarise(mib, swarmMib, tcp, [raw1, raw2], shoal, swarm)
  report(figures)
  process.stdout.write(`${JSON.stringify(figures)}\n`)
}

main().then(() => process.exit(0), (err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`)
  process.exit(1)
})
