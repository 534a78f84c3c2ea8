import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { round } from './monitor.js'
import { shoalTransfer } from './shoal-transfer.js'
import type { TransferResult } from './shoal-transfer.js'

const GiB = 1024 * 1024 * 1024

/** One node's CPU for the run, and per GiB moved. */
export interface PacedNode {
  name: string
  cpuSeconds: number
  cpuPerGiB: number
}

export interface PacingRow {
  /** The seeder's `limits.uploadRate` in bytes per second; 0: unlimited. */
  uploadRate: number
  seconds: number
  nodes: PacedNode[]
}

export interface PacingResult {
  bytes: number
  rows: PacingRow[]
  /** CPU per GiB of both nodes at the limited rate over that at full speed. */
  costRatio: number
}

/**
 * What a byte costs at a swarm's rate: the same content 1 seeder -> 1 leecher at full speed
 * and under the seeder's upload limit `rate` (a node's share in the 40 Mbit/s swarms), each
 * node's CPU per GiB side by side. The pieces, frames and messages are the same in both.
 */
export async function pacingCost (root: string, bytes: number, rate: number): Promise<PacingResult> {
  const rows: PacingRow[] = []
  for (const uploadRate of [0, rate]) {
    const dir = join(root, `pacing-${uploadRate}`)
    try {
      const run = await shoalTransfer(dir, bytes, 1, uploadRate === 0 ? {} : { limits: { uploadRate } })
      rows.push({ uploadRate, seconds: run.seconds, nodes: perGiB(run) })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
  const both = (row: PacingRow): number => row.nodes.reduce((sum, n) => sum + n.cpuPerGiB, 0)
  return { bytes, rows, costRatio: round(both(rows[1]) / both(rows[0])) }
}

function perGiB (run: TransferResult): PacedNode[] {
  return run.nodes.map(n => ({ name: n.name, cpuSeconds: n.cpuSeconds, cpuPerGiB: round(n.cpuSeconds / (run.bytes / GiB)) }))
}

/** The section's lines for the report. */
export function pacingLines (p: PacingResult): string[] {
  const rate = (r: number): string => r === 0 ? 'unlimited' : `${(r / 1e6).toFixed(0)} MB/s`
  return [
    `What a byte costs at a swarm's rate: 1 seeder -> 1 leecher, ${p.bytes / (1024 * 1024)} MiB, CPU s per GiB (all threads)`,
    ...p.rows.map(row => `  upload ${rate(row.uploadRate).padEnd(10)} ${row.seconds.toFixed(2).padStart(6)} s   ${row.nodes.map(n => `${n.name} ${n.cpuPerGiB.toFixed(2)}`).join('   ')}`),
    `  at the limited rate a byte costs ${p.costRatio.toFixed(2)}x its CPU at full speed`
  ]
}
