import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { randomFile } from './files.js'
import { round } from './monitor.js'
import { ShoalProcess } from './processes.js'
import type { SwarmStatus } from '../src/swarm/types.js'

export interface RateLimitResult {
  /** The seeder's `limits.uploadRate`, bytes/s. */
  limit: number
  windowSeconds: number
  /** What the leecher's `downloaded` counter grew by over the window, per second. */
  measured: number
  /** measured / limit: the goal is within 5% of 1. */
  ratio: number
}

/**
 * A seeder with `limits.uploadRate` = `limit` serves one leecher content that lasts longer
 * than the window; the leecher's verified-bytes counter is read at the start and the end of
 * a `windowSeconds` window well inside the transfer.
 */
export async function rateLimitHold (root: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
  const settle = 3
  const bytes = Math.ceil(limit * (windowSeconds + settle + 5))
  await mkdir(join(root, 'seeder'), { recursive: true })
  await mkdir(join(root, 'leecher'), { recursive: true })
  const source = join(root, 'content.bin')
  await randomFile(source, bytes)
  const nodes: ShoalProcess[] = []
  try {
    const seeder = await ShoalProcess.start('seeder', join(root, 'seeder'), { config: { limits: { uploadRate: limit } } })
    nodes.push(seeder)
    const contentId = (await seeder.cli('add', source)).trim().split('\n').at(-1) as string
    const leecher = await ShoalProcess.start('leecher', join(root, 'leecher'), { bootstrap: [(await seeder.status()).addresses[0]] })
    nodes.push(leecher)
    await leecher.waitConnected()
    const getting = leecher.cli('get', contentId, '--output', join(root, 'leecher', 'content.bin')).catch(() => '')
    const downloaded = async (): Promise<{ bytes: number, at: number }> => {
      const swarm = (await leecher.status()).swarms.find((s: SwarmStatus) => s.contentId === contentId)
      return { bytes: swarm?.downloaded ?? 0, at: performance.now() }
    }
    await new Promise(resolve => setTimeout(resolve, settle * 1000))
    const start = await downloaded()
    await new Promise(resolve => setTimeout(resolve, windowSeconds * 1000))
    const end = await downloaded()
    await leecher.stop()
    await getting
    const measured = (end.bytes - start.bytes) / ((end.at - start.at) / 1000)
    return { limit, windowSeconds, measured: Math.round(measured), ratio: round(measured / limit, 4) }
  } finally {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await rm(root, { recursive: true, force: true })
  }
}

export interface DownloadRateResult {
  /** The leecher's `limits.downloadRate`, bytes/s. */
  limit: number
  bytes: number
  /** Verified bytes from the first piece to the last, per second (the steady part). */
  steady: number
  /** The whole `get`, from the command to its exit: the first piece is asked for at once. */
  whole: number
  steadyRatio: number
  wholeRatio: number
}

/**
 * A leecher with `limits.downloadRate` = `limit` gets `bytes` from an unlimited seeder; its
 * verified bytes are read every 100 ms, and the rate is taken from the first piece to the last.
 */
export async function downloadRateHold (root: string, limit: number, bytes: number): Promise<DownloadRateResult> {
  await mkdir(join(root, 'seeder'), { recursive: true })
  await mkdir(join(root, 'leecher'), { recursive: true })
  const source = join(root, 'content.bin')
  await randomFile(source, bytes)
  const nodes: ShoalProcess[] = []
  try {
    const seeder = await ShoalProcess.start('seeder', join(root, 'seeder'))
    nodes.push(seeder)
    const contentId = (await seeder.cli('add', source)).trim().split('\n').at(-1) as string
    const leecher = await ShoalProcess.start('leecher', join(root, 'leecher'), { bootstrap: [(await seeder.status()).addresses[0]], config: { limits: { downloadRate: limit } } })
    nodes.push(leecher)
    await leecher.waitConnected()
    const started = performance.now()
    let done = false
    const getting = leecher.cli('get', contentId, '--output', join(root, 'leecher', 'content.bin')).finally(() => { done = true })
    const samples: Array<{ at: number, bytes: number }> = []
    while (!done) {
      const swarm = (await leecher.status()).swarms.find((s: SwarmStatus) => s.contentId === contentId)
      const have = swarm?.downloaded ?? 0
      if (have > (samples.at(-1)?.bytes ?? 0)) samples.push({ at: performance.now(), bytes: have })
      await new Promise(resolve => setTimeout(resolve, 100))
    }
    await getting
    const whole = bytes / ((performance.now() - started) / 1000)
    const first = samples[0]
    const last = samples[samples.length - 1]
    const steady = (last.bytes - first.bytes) / ((last.at - first.at) / 1000)
    return { limit, bytes, steady: Math.round(steady), whole: Math.round(whole), steadyRatio: round(steady / limit, 4), wholeRatio: round(whole / limit, 4) }
  } finally {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await rm(root, { recursive: true, force: true })
  }
}
