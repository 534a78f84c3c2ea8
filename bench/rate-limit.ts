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
