import { readFile, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { dirname, join } from 'node:path'
import { randomFile } from './files.js'
import { round } from './monitor.js'
import { ShoalProcess } from './processes.js'
import { benchFolder } from './seeded.js'

const KiB = 1024
const MiB = 1024 * KiB

/** One get's milestones, in ms from issuing it. */
export interface GetTimes {
  manifestMs: number
  firstPieceMs: number
  doneMs: number
}

export interface LatencyRow {
  bytes: number
  /** Through the control API (the get stream's lines), median of `runs` gets of fresh content. */
  api: GetTimes
  apiRuns: GetTimes[]
  /** `shoal get` as a separate process, until it exits 0 (the CLI's start-up included). */
  cliMs: number
  /** `shoal status --json` in the same run: the CLI's start-up alone, to read cliMs against. */
  cliBaselineMs: number
}

export interface LatencyResult {
  rows: LatencyRow[]
  runs: number
  /** The goal: a 16 KiB get through the API within this many ms. */
  goalMs: number
}

export const LATENCY_SIZES = [16 * KiB, MiB, 16 * MiB]
const GOAL_MS = 50

/** POST /v1/get on `node`'s API, timing the manifest line, the first line with a piece and the last. */
export async function apiGet (apiFolder: string, contentId: string, output: string): Promise<GetTimes> {
  const [url, token] = await Promise.all([readFile(join(apiFolder, 'api'), 'utf8'), readFile(join(apiFolder, 'api.token'), 'utf8')])
  const body = JSON.stringify({ contentId, output })
  const started = performance.now()
  const since = (): number => round(performance.now() - started, 1)
  const times = { manifestMs: -1, firstPieceMs: -1, doneMs: -1 }
  await new Promise<void>((resolve, reject) => {
    const req = request(`${url.trim()}/v1/get`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token.trim()}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
    }, (res) => {
      let pending = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        pending += chunk
        let newline: number
        while ((newline = pending.indexOf('\n')) >= 0) {
          const event = JSON.parse(pending.slice(0, newline))
          pending = pending.slice(newline + 1)
          if (event.type === 'shoal:get:manifest' && times.manifestMs < 0) times.manifestMs = since()
          if (event.type === 'shoal:get:progress' && event.piecesHave > 0 && times.firstPieceMs < 0) times.firstPieceMs = since()
          if (event.type === 'done') times.doneMs = since()
          if (event.type === 'error') reject(new Error(`get ${contentId}: ${JSON.stringify(event.error)}`))
        }
      })
      res.on('end', () => { times.doneMs >= 0 ? resolve() : reject(new Error(`get ${contentId}: the stream ended without done (${res.statusCode ?? '?'})`)) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
  // a piece that came with the manifest's own round (one piece in all) may show only at done
  if (times.firstPieceMs < 0) times.firstPieceMs = times.doneMs
  return times
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : round((sorted[mid - 1] + sorted[mid]) / 2, 1)
}

/**
 * Time to manifest, to the first verified piece and to completion of gets from a seeder the
 * leecher is already connected to (real processes): through the API (`runs` gets of fresh
 * content per size, medians) and through `shoal get` (one per size, beside the CLI's own
 * start-up in the same run).
 */
export async function latencyFigures (root: string, runs: number): Promise<LatencyResult> {
  const nodes: ShoalProcess[] = []
  try {
    const seeder = await ShoalProcess.start('seeder', await benchFolder(root, 'seeder'))
    nodes.push(seeder)
    const address = (await seeder.status()).addresses[0]
    const leecherDir = await benchFolder(root, 'leecher')
    const leecher = await ShoalProcess.start('leecher', leecherDir, { bootstrap: [address] })
    nodes.push(leecher)
    await leecher.waitConnected()
    const apiFolder = join(dirname(leecher.configPath), 'data')
    let made = 0
    const fresh = async (bytes: number): Promise<{ contentId: string, output: string }> => {
      const source = join(await benchFolder(root, 'source'), `content-${++made}.bin`)
      await randomFile(source, bytes)
      const contentId = (await seeder.cli('add', source)).trim().split('\n').at(-1) as string
      return { contentId, output: join(leecherDir, `got-${made}.bin`) }
    }

    const rows: LatencyRow[] = []
    for (const bytes of LATENCY_SIZES) {
      const apiRuns: GetTimes[] = []
      for (let i = 0; i < runs; i++) {
        const { contentId, output } = await fresh(bytes)
        apiRuns.push(await apiGet(apiFolder, contentId, output))
        await rm(output, { force: true })
      }
      const { contentId, output } = await fresh(bytes)
      const cliStarted = performance.now()
      await leecher.cli('get', contentId, '--output', output)
      const cliMs = round(performance.now() - cliStarted, 1)
      await rm(output, { force: true })
      const baselineStarted = performance.now()
      await leecher.status()
      const cliBaselineMs = round(performance.now() - baselineStarted, 1)
      const pick = (key: keyof GetTimes): number => median(apiRuns.map(r => r[key]))
      rows.push({ bytes, api: { manifestMs: pick('manifestMs'), firstPieceMs: pick('firstPieceMs'), doneMs: pick('doneMs') }, apiRuns, cliMs, cliBaselineMs })
    }
    return { rows, runs, goalMs: GOAL_MS }
  } finally {
    await Promise.all(nodes.map(async n => { await n.stop() }))
  }
}
