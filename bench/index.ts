/**
 * `npm run bench`: Shoal against the stack it runs on and against the theoretical bound, in
 * real processes, every figure side by side in one run.
 *
 *   BENCH_ONLY        comma-separated sections: throughput, swarm, ratelimit, scaling, netns, memory, startup, gateway, latency, pacing (default all)
 *   BENCH_MIB         size of the 1 seeder -> 1 leecher transfer and the baselines (default 512)
 *   BENCH_SWARM_MIB   size of the 1 seeder -> 4 leechers transfer (default 128)
 *   BENCH_SCALE_MIB   size of the swarm-scaling runs (default 64)
 *   BENCH_SCALE_N     leecher counts of the scaling runs (default 1,2,4,8,16)
 *   BENCH_SCALE_WARM_MIB  a content of this size every leecher gets first, untimed (default 0: cold nodes)
 *   BENCH_RAW_MESH    0: no raw libp2p mesh after each netns swarm (its baseline; default on)
 *   BENCH_PACING_MIB  size of the pacing section's two transfers (default 64)
 *   BENCH_MEMORY_MIB  size of the peak-RSS transfer (default 2048)
 *   BENCH_GATEWAY_MIB size of the gateway's content (first byte, seek, full GET against shoal get; default 128)
 *   BENCH_STARTUP_RUNS  timed runs of each command in the start-up section (default 10)
 *   BENCH_LATENCY_RUNS  API gets per size in the latency section, medians reported (default 5)
 *   BENCH_NODE_CONFIG   JSON merged into every node's config, for experiments (e.g. '{"limits":{"uploadRate":5000000}}')
 *
 * Readable tables go to stderr; the last line of stdout is one JSON object with every figure.
 */
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { round } from './monitor.js'
import { gatewayFigures } from './gateway.js'
import { latencyFigures } from './latency.js'
import { pacingCost, pacingLines } from './pacing.js'
import { atExit } from './processes.js'
import { downloadRateHold, rateLimitHold } from './rate-limit.js'
import { rawMesh } from './raw-mesh.js'
import { rawStream } from './raw-stream.js'
import { shoalTransfer } from './shoal-transfer.js'
import { startupTimes } from './startup.js'
import { loopbackHosts, netnsLab, swarmScaling } from './swarm-scaling.js'
import type { GatewayResult } from './gateway.js'
import type { LatencyResult } from './latency.js'
import type { PacingResult } from './pacing.js'
import type { DownloadRateResult, RateLimitResult } from './rate-limit.js'
import type { StreamResult } from './raw-stream.js'
import type { TransferResult } from './shoal-transfer.js'
import type { StartupResult } from './startup.js'
import type { ScalingHosts, ScalingRow } from './swarm-scaling.js'

const MiB = 1024 * 1024
/** The swarm-engine issue's goals. */
const TARGET_RATIO = 0.9
const TARGET_BOUND_RATIO = 1.25
const TARGET_RSS_MIB = 200
const SWARM_LEECHERS = 4
/** The rate-limit check: an 8 MiB/s upload limit, held within 5% over 20 s. */
const RATE_LIMIT = 8 * MiB
const RATE_WINDOW_SECONDS = 20
/** A slow line's download limit, over content of a few pieces: where a burst shows. */
const DOWNLOAD_RATE_LIMIT = 128 * 1024
const DOWNLOAD_RATE_BYTES = 2 * MiB
/** Every node's upload in the scaling runs: 40 Mbit/s, as in the lab's libtorrent reference. */
const SCALE_RATE = 5_000_000
/** MiB every leecher of a scaling run gets first, untimed (0: the nodes are cold, as a crowd just started). */
const SCALE_WARM_MIB = process.env.BENCH_SCALE_WARM_MIB === undefined ? 0 : numberFromEnv('BENCH_SCALE_WARM_MIB', 0)
const SECTIONS = ['throughput', 'swarm', 'ratelimit', 'scaling', 'netns', 'memory', 'startup', 'gateway', 'latency', 'pacing'] as const
type Section = typeof SECTIONS[number]

function numberFromEnv (name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`)
  return value
}

function sectionsFromEnv (): Set<Section> {
  const asked = (process.env.BENCH_ONLY ?? SECTIONS.join(',')).split(',').map(s => s.trim()).filter(s => s !== '')
  for (const s of asked) if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`BENCH_ONLY: unknown section "${s}" (sections: ${SECTIONS.join(', ')})`)
  return new Set(asked as Section[])
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
const withCpu = <T extends StreamResult>(r: T): T & { cpuPerGiB: number } => ({ ...r, cpuPerGiB: cpuPerGiB(streamCpu(r), r.bytes) })

interface Throughput {
  tcp: StreamResult & { cpuPerGiB: number }
  rawLibp2p: { runs: Array<StreamResult & { cpuPerGiB: number }>, best: number, cpuPerGiB: number }
  shoal: TransferResult & { cpuPerGiB: number }
  /** Shoal's rate over the faster raw libp2p run: the target figure. */
  ratio: number
  /** Raw libp2p CPU per byte over Shoal's: the ratio a CPU-bound machine would show. */
  cpuRatio: number
  targetRatio: number
}

async function throughput (root: string, bytes: number): Promise<Throughput> {
  const mib = bytes / MiB
  const raw1 = await step(`raw libp2p stream, ${mib} MiB (run 1)`, async () => await rawStream('libp2p', bytes))
  const tcp = await step(`plain TCP, ${mib} MiB`, async () => await rawStream('tcp', bytes))
  const shoal = await step(`Shoal 1 seeder -> 1 leecher, ${mib} MiB`, async () => await transfer(root, 'single', bytes, 1))
  const raw2 = await step(`raw libp2p stream, ${mib} MiB (run 2)`, async () => await rawStream('libp2p', bytes))
  const runs = [raw1, raw2].map(withCpu)
  const best = Math.max(...runs.map(r => r.mibps))
  const rawCpu = Math.min(...runs.map(r => r.cpuPerGiB))
  const shoalCpu = cpuPerGiB(transferCpu(shoal), shoal.bytes)
  return {
    tcp: withCpu(tcp),
    rawLibp2p: { runs, best, cpuPerGiB: rawCpu },
    shoal: { ...shoal, cpuPerGiB: shoalCpu },
    ratio: round(shoal.mibps / best, 3),
    cpuRatio: round(rawCpu / shoalCpu, 3),
    targetRatio: TARGET_RATIO
  }
}

const transferRows = (name: string, t: TransferResult, note: string): Array<Array<string | number>> => [
  [name, t.mibps.toFixed(1), t.seconds.toFixed(2), transferCpu(t).toFixed(2), cpuPerGiB(transferCpu(t), t.bytes * t.leechers).toFixed(2), '', note],
  ...t.nodes.map(n => [`  ${n.name}`, '', '', `${n.cpuSeconds.toFixed(2)} (main ${n.mainThreadCpuSeconds.toFixed(2)})`, '', `${n.peakRssMiB.toFixed(0)} MiB`, `up ${n.uploadedMiB.toFixed(1)} / down ${n.downloadedMiB.toFixed(1)} MiB`])
]
const HEADER = ['measurement', 'MiB/s', 'seconds', 'CPU s', 'CPU s/GiB', 'peak RSS', 'notes']

function reportThroughput (t: Throughput): void {
  const streamRow = (name: string, r: StreamResult & { cpuPerGiB: number }): Array<string | number> =>
    [name, r.mibps.toFixed(1), r.seconds.toFixed(2), `${r.receiverCpuSeconds.toFixed(2)} + ${r.senderCpuSeconds.toFixed(2)}`, r.cpuPerGiB.toFixed(2), '', '']
  log('')
  log(table([
    HEADER,
    streamRow('plain TCP, node:net', t.tcp),
    ...t.rawLibp2p.runs.map((r, i) => streamRow(`raw libp2p stream, run ${i + 1}`, r)),
    ...transferRows('Shoal 1 seeder -> 1 leecher', t.shoal, `piece size ${t.shoal.pieceSize / 1024} KiB`)
  ]))
  log('')
  log(`  RATIO  Shoal / raw libp2p = ${t.shoal.mibps.toFixed(1)} / ${t.rawLibp2p.best.toFixed(1)} MiB/s = ${t.ratio.toFixed(3)}   (target >= ${TARGET_RATIO}: ${t.ratio >= TARGET_RATIO ? 'MET' : 'NOT MET'})`)
  log(`  CPU efficiency  raw libp2p / Shoal = ${t.rawLibp2p.cpuPerGiB.toFixed(2)} / ${t.shoal.cpuPerGiB.toFixed(2)} CPU s per GiB = ${t.cpuRatio.toFixed(3)}`)
  log(`  Shoal times run from issuing \`shoal get\` to its exit, including the CLI's start-up (~${t.shoal.cliSeconds.toFixed(2)} s).`)
}

function reportSwarm (s: TransferResult): void {
  log('')
  log(table([HEADER, ...transferRows(`Shoal 1 seeder -> ${s.leechers} leechers`, s, `aggregate; leechers done at ${s.leecherSeconds.join(', ')} s`)]))
  log(`  leechers got ${(s.leecherShare * 100).toFixed(1)}% of their bytes from each other; the seeder sent ${(s.nodes[0].uploadedMiB * MiB / s.bytes).toFixed(2)} copies`)
}

/** Each count's Shoal swarm, then (with `baseline`) the same count's raw mesh on the same hosts. */
async function scaling (root: string, hosts: ScalingHosts, counts: number[], bytes: number, baseline = false): Promise<ScalingRow[]> {
  const rows: ScalingRow[] = []
  for (const n of counts) {
    const row = await step(`swarm scaling (${hosts.name}): 1 seeder -> ${n} leechers, ${bytes / MiB} MiB`, async () => await swarmScaling(join(root, `scale-${n}`), hosts, n, bytes, SCALE_RATE, SCALE_WARM_MIB * MiB))
    if (baseline) row.rawMesh = await step(`raw libp2p mesh (${hosts.name}): 1 seeder -> ${n} leechers, ${bytes / MiB} MiB`, async () => await rawMesh(hosts, n, bytes, SCALE_RATE))
    rows.push(row)
  }
  return rows
}

function reportScaling (title: string, rows: ScalingRow[]): void {
  log('')
  log(`${title} (every node uploads ${SCALE_RATE * 8 / 1e6} Mbit/s; goal: within ${TARGET_BOUND_RATIO}x the bound)`)
  const mesh = rows.some(r => r.rawMesh !== undefined)
  log(table([
    ['leechers', 'last done s', 'client-server s', 'bound s', 'ratio', 'seeder copies', 'from leechers', 'CPU s', ...(mesh ? ['raw mesh s', 'raw ratio', 'raw CPU s'] : []), 'goal'],
    ...rows.map(r => [
      r.leechers, r.seconds.toFixed(2), r.clientServerSeconds.toFixed(1), r.boundSeconds.toFixed(2), r.ratio.toFixed(3), r.seederCopies.toFixed(2), `${(r.leecherShare * 100).toFixed(0)}%`, r.cpuSeconds.toFixed(1),
      ...(mesh ? [r.rawMesh?.seconds.toFixed(2) ?? '-', r.rawMesh?.ratio.toFixed(3) ?? '-', r.rawMesh?.cpuSeconds.toFixed(1) ?? '-'] : []),
      r.ratio <= TARGET_BOUND_RATIO ? 'met' : 'NOT MET'
    ])
  ]))
  if (mesh) log('  raw mesh: plain js-libp2p nodes (TCP, Noise, Yamux; no pieces, hashes or disk) moving the same bytes on the bound\'s own schedule over warm connections, in the same hosts, right after each Shoal run (bench/raw-mesh.ts).')
}

async function netnsScaling (root: string, counts: number[], bytes: number): Promise<ScalingRow[] | { skipped: string }> {
  const missing = netnsLab.available()
  if (missing !== undefined) {
    log(`bench: swarm scaling in network namespaces skipped: ${missing}`)
    return { skipped: missing }
  }
  const hosts = netnsLab.up(Math.max(...counts) + 1, `${SCALE_RATE * 8 / 1e6}mbit`)
  atExit(() => { netnsLab.down() })
  try {
    return await scaling(root, hosts, counts, bytes, process.env.BENCH_RAW_MESH !== '0')
  } finally {
    netnsLab.down()
  }
}

function reportRateLimit (r: RateLimitResult): void {
  log('')
  log(`Rate limit: the seeder's limits.uploadRate ${(r.limit / MiB).toFixed(1)} MiB/s, the leecher's verified bytes over ${r.windowSeconds} s: ${(r.measured / MiB).toFixed(3)} MiB/s = ${(r.ratio * 100).toFixed(2)}% of the limit (goal within 5%: ${Math.abs(r.ratio - 1) <= 0.05 ? 'met' : 'NOT MET'})`)
}

function reportDownloadRate (r: DownloadRateResult): void {
  const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB/s`
  log(`Download limit: the leecher's limits.downloadRate ${kib(r.limit)}, ${r.bytes / MiB} MiB: first piece to last ${kib(r.steady)} = ${(r.steadyRatio * 100).toFixed(2)}% of the limit (goal within 5%: ${Math.abs(r.steadyRatio - 1) <= 0.05 ? 'met' : 'NOT MET'}); the whole get ${kib(r.whole)} = ${(r.wholeRatio * 100).toFixed(2)}%`)
}

function reportMemory (m: TransferResult): void {
  log('')
  log(`Peak RSS, 1 seeder -> 1 leecher, ${m.bytes / MiB} MiB (goal: under ${TARGET_RSS_MIB} MiB per node)`)
  log(table([HEADER, ...transferRows('Shoal 1 seeder -> 1 leecher', m, `piece size ${m.pieceSize / 1024} KiB`)]))
}

function reportGateway (g: GatewayResult): void {
  log('')
  log(`Gateway, ${g.bytes / MiB} MiB, piece size ${g.pieceSize / 1024} KiB, a leecher that has never seen the content: first byte cold ${g.ttfbColdMs} ms (manifest search + first piece), warm ${g.ttfbWarmMs} ms; a byte in the middle (a seek) ${g.seekMiddleMs} ms`)
  log(`  full-file GET through a fresh leecher's gateway ${g.gatewayMibps} MiB/s against shoal get ${g.getMibps} MiB/s (ratio ${(g.gatewayMibps / g.getMibps).toFixed(2)})`)
}

function reportStartup (s: StartupResult): void {
  const baseline = s.rows[0].medianMs
  log('')
  log(`Start-up per command: the bin run by node directly, median of ${s.rows[2].runs} runs (goal for a client command: under ${s.goalMs} ms)`)
  log(table([
    ['command', 'median ms', 'min ms', 'max ms', 'over node -e ""', 'goal'],
    ...s.rows.map(r => [r.name, r.medianMs.toFixed(0), r.minMs.toFixed(0), r.maxMs.toFixed(0), r === s.rows[0] ? '' : (r.medianMs - baseline).toFixed(0), r.client ? (r.medianMs < s.goalMs ? 'met' : 'NOT MET') : ''])
  ]))
}

function reportLatency (l: LatencyResult): void {
  const size = (bytes: number): string => bytes >= MiB ? `${bytes / MiB} MiB` : `${bytes / 1024} KiB`
  log('')
  log(`Latency: a get from a seeder the leecher is connected to; API figures are medians of ${l.runs} gets of fresh content (goal: 16 KiB through the API within ${l.goalMs} ms)`)
  log(table([
    ['size', 'API manifest ms', 'API first piece ms', 'API done ms', 'API done min-max', 'shoal get ms', 'shoal status ms', 'goal'],
    ...l.rows.map(r => [size(r.bytes), r.api.manifestMs.toFixed(1), r.api.firstPieceMs.toFixed(1), r.api.doneMs.toFixed(1),
      `${Math.min(...r.apiRuns.map(x => x.doneMs)).toFixed(0)}-${Math.max(...r.apiRuns.map(x => x.doneMs)).toFixed(0)}`,
      r.cliMs.toFixed(0), r.cliBaselineMs.toFixed(0), r.bytes === l.rows[0].bytes ? (r.api.doneMs <= l.goalMs ? 'met' : 'NOT MET') : ''])
  ]))
  log('  shoal status: the CLI\'s own start-up in the same run, to read shoal get against.')
}

async function main (): Promise<void> {
  const sections = sectionsFromEnv()
  const mib = numberFromEnv('BENCH_MIB', 512)
  const swarmMib = numberFromEnv('BENCH_SWARM_MIB', 128)
  const scaleMib = numberFromEnv('BENCH_SCALE_MIB', 64)
  const memoryMib = numberFromEnv('BENCH_MEMORY_MIB', 2048)
  const counts = (process.env.BENCH_SCALE_N ?? '1,2,4,8,16').split(',').map(Number)
  if (counts.some(n => !Number.isInteger(n) || n < 1 || n > 64)) throw new Error('BENCH_SCALE_N must list leecher counts from 1 to 64')
  const root = await mkdtemp(join(tmpdir(), 'shoal-bench-'))
  atExit(() => { rmSync(root, { recursive: true, force: true }) })
  const figures: Record<string, unknown> = { node: process.version, cpus: availableParallelism() }
  log(`Shoal benchmark, Node ${process.version}, ${availableParallelism()} CPUs: ${[...sections].join(', ')}`)

  if (sections.has('throughput')) figures.throughput = await throughput(root, Math.round(mib * MiB))
  if (sections.has('swarm')) {
    figures.swarm = await step(`Shoal 1 seeder -> ${SWARM_LEECHERS} leechers, ${swarmMib} MiB`, async () => await transfer(root, 'swarm', Math.round(swarmMib * MiB), SWARM_LEECHERS))
  }
  if (sections.has('ratelimit')) {
    figures.rateLimit = await step(`limits.uploadRate ${RATE_LIMIT / MiB} MiB/s over ${RATE_WINDOW_SECONDS} s`, async () => await rateLimitHold(join(root, 'ratelimit'), RATE_LIMIT, RATE_WINDOW_SECONDS))
    figures.downloadRate = await step(`limits.downloadRate ${DOWNLOAD_RATE_LIMIT / 1024} KiB/s over ${DOWNLOAD_RATE_BYTES / MiB} MiB`, async () => await downloadRateHold(join(root, 'downloadrate'), DOWNLOAD_RATE_LIMIT, DOWNLOAD_RATE_BYTES))
  }
  if (sections.has('scaling')) figures.scalingLoopback = await scaling(root, loopbackHosts(SCALE_RATE), counts, Math.round(scaleMib * MiB))
  if (sections.has('netns')) figures.scalingNetns = await netnsScaling(root, counts, Math.round(scaleMib * MiB))
  if (sections.has('startup')) {
    figures.startup = await step('start-up per command', async () => await startupTimes(join(root, 'startup'), numberFromEnv('BENCH_STARTUP_RUNS', 10)))
  }
  if (sections.has('memory')) figures.memory = await step(`peak RSS, 1 seeder -> 1 leecher, ${memoryMib} MiB`, async () => await transfer(root, 'memory', Math.round(memoryMib * MiB), 1))

  if (sections.has('gateway')) {
    const gatewayMib = numberFromEnv('BENCH_GATEWAY_MIB', 128)
    figures.gateway = await step(`gateway first byte, seek and full GET against shoal get, ${gatewayMib} MiB`, async () => await gatewayFigures(join(root, 'gateway'), Math.round(gatewayMib * MiB)))
  }
  if (sections.has('latency')) {
    figures.latency = await step('latency of a get from a connected seeder, 16 KiB, 1 MiB, 16 MiB', async () => await latencyFigures(join(root, 'latency'), numberFromEnv('BENCH_LATENCY_RUNS', 5)))
  }
  if (sections.has('pacing')) {
    const pacingMib = numberFromEnv('BENCH_PACING_MIB', 64)
    figures.pacing = await step(`CPU per byte at full speed and at ${SCALE_RATE / 1e6} MB/s, ${pacingMib} MiB`, async () => await pacingCost(root, Math.round(pacingMib * MiB), SCALE_RATE))
  }
  if (figures.throughput !== undefined) reportThroughput(figures.throughput as Throughput)
  if (figures.swarm !== undefined) reportSwarm(figures.swarm as TransferResult)
  if (figures.rateLimit !== undefined) reportRateLimit(figures.rateLimit as RateLimitResult)
  if (figures.downloadRate !== undefined) reportDownloadRate(figures.downloadRate as DownloadRateResult)
  if (figures.scalingLoopback !== undefined) reportScaling('Swarm scaling on loopback, caps from limits.uploadRate', figures.scalingLoopback as ScalingRow[])
  if (Array.isArray(figures.scalingNetns)) reportScaling('Swarm scaling in network namespaces, kernel caps (lab.sh --up)', figures.scalingNetns)
  if (figures.memory !== undefined) reportMemory(figures.memory as TransferResult)
  if (figures.startup !== undefined) reportStartup(figures.startup as StartupResult)
  if (figures.gateway !== undefined) reportGateway(figures.gateway as GatewayResult)
  if (figures.latency !== undefined) reportLatency(figures.latency as LatencyResult)
  if (figures.pacing !== undefined) for (const line of ['', ...pacingLines(figures.pacing as PacingResult)]) log(line)
  log('')
  if (['throughput', 'swarm', 'memory', 'scaling', 'netns'].some(name => sections.has(name as Section))) {
    log('  CPU s: user + system, all threads, during the transfer (streams: receiver + sender).')
    log('  Scaling: timed from the first leecher\'s swarm start to the last one\'s completion, as the nodes stamp them.')
    if (SCALE_WARM_MIB > 0) log(`  Scaling: warm nodes (every leecher first got ${SCALE_WARM_MIB} MiB of other content, untimed).`)
    log('')
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`)
}

main().then(() => process.exit(0), (err: Error) => {
  process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`)
  process.exit(1)
})
