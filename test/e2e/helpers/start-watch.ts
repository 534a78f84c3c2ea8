import { readFileSync } from 'node:fs'

/**
 * How long a test waits for `shoal start`, decided by what it measures rather than a fixed
 * guess. A start that is slow because the machine is busy is waited for as long as the
 * node keeps working; a start that fails is reported by what went wrong: the node exited,
 * it stopped using CPU without getting ready (a hang), or it used far more CPU than the
 * cheapest start of the same run (start does work it should not).
 */

/** Linux's clock tick (`getconf CLK_TCK`), the unit of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS_PER_S = 100

/** A start may use this many times the CPU of the cheapest start seen in this run... */
export const CPU_FACTOR = 20
/** ...and never less than this (the baseline may be one lone, warm start). */
export const MIN_CPU_BUDGET_MS = 5_000
/** A node that used no CPU and printed nothing for this long is hung, not slow. */
export const STALL_MS = 20_000
/** Where CPU time cannot be read (no /proc): a wall-clock bound of this many times the quickest start... */
export const WALL_FACTOR = 100
/** ...and never less than this. */
export const MIN_WALL_BUDGET_MS = 60_000

/** What one start took: wall time until it answered, CPU time the node used until it printed ready. */
export interface StartMeasure {
  wallMs: number
  /** undefined where the process's CPU time cannot be read. */
  cpuMs?: number
}

/** CPU time (user + system) a process has used so far, in ms; undefined where /proc is not available. */
export function processCpuMs (pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // fields after "(comm) ": state is the first, utime the 12th, stime the 13th
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 1000 / CLOCK_TICKS_PER_S
  } catch {
    return undefined
  }
}

/** The cheapest start seen so far in this test process: the reference the budgets scale from. */
const baseline: { cpuMs?: number, wallMs?: number } = {}

export function recordStart (m: StartMeasure): void {
  baseline.wallMs = Math.min(baseline.wallMs ?? Infinity, m.wallMs)
  if (m.cpuMs !== undefined) baseline.cpuMs = Math.min(baseline.cpuMs ?? Infinity, m.cpuMs)
}

export function cpuBudgetMs (): number {
  return Math.max(MIN_CPU_BUDGET_MS, CPU_FACTOR * (baseline.cpuMs ?? 0))
}

export function wallBudgetMs (): number {
  return Math.max(MIN_WALL_BUDGET_MS, WALL_FACTOR * (baseline.wallMs ?? 0))
}

function describeBaseline (): string {
  return baseline.wallMs === undefined
    ? 'no start measured yet in this run'
    : `the cheapest start of this run took ${baseline.wallMs.toFixed(0)} ms${baseline.cpuMs === undefined ? '' : `, ${baseline.cpuMs.toFixed(0)} CPU ms`}`
}

/** One look at a starting node: why it is late, or undefined while it is still within its budgets. */
export interface StartProbe {
  /** ms since the process was spawned. */
  elapsedMs: number
  /** CPU ms it has used; undefined where that cannot be read. */
  cpuMs?: number
  /** ms since it last used CPU or printed anything. */
  idleMs: number
}

export function lateness (p: StartProbe): string | undefined {
  const measured = `after ${p.elapsedMs.toFixed(0)} ms, having used ${p.cpuMs === undefined ? 'an unknown amount of' : p.cpuMs.toFixed(0)} CPU ms; ${describeBaseline()}`
  if (p.cpuMs !== undefined && p.cpuMs > cpuBudgetMs()) return `used more CPU than its budget of ${cpuBudgetMs().toFixed(0)} ms (${CPU_FACTOR} x the cheapest start, at least ${MIN_CPU_BUDGET_MS} ms) without getting ready, ${measured}`
  if (p.idleMs > STALL_MS) return `used no CPU and printed nothing for ${(p.idleMs / 1000).toFixed(1)} s (hung), ${measured}`
  if (p.cpuMs === undefined && p.elapsedMs > wallBudgetMs()) return `was not ready within ${wallBudgetMs().toFixed(0)} ms (${WALL_FACTOR} x the quickest start, at least ${MIN_WALL_BUDGET_MS} ms), ${measured}`
  return undefined
}
