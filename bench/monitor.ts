import { readFileSync } from 'node:fs'

/** Linux reports CPU times in /proc/<pid>/stat in clock ticks: 100 a second on every common kernel. */
const CLOCK_TICKS = 100
const MiB = 1024 * 1024

export interface ProcessUsage {
  /** Largest resident set seen while monitoring, in MiB. */
  peakRssMiB: number
  /** User + system CPU seconds spent while monitoring, all threads. */
  cpuSeconds: number
  /** Of them, the main thread's (the event loop's): what sets a node's rate where it has cores to spare. */
  mainThreadCpuSeconds: number
}

function rssBytes (pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match === null ? 0 : Number(match[1]) * 1024
}

/** CPU seconds of a process (all threads), or of one thread given its id as `task`. */
function cpuSeconds (pid: number, task?: number): number {
  const stat = readFileSync(task === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${task}/stat`, 'utf8')
  // fields after the parenthesised command name; utime and stime are fields 14 and 15
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
}

/**
 * Watch processes from now until the returned function is called: their peak RSS (polling
 * VmRSS every `intervalMs`) and the CPU time they used in between.
 */
export function monitor (pids: number[], intervalMs = 100): () => ProcessUsage[] {
  const cpuAtStart = pids.map(pid => cpuSeconds(pid))
  // a process's main thread has the process's id
  const mainAtStart = pids.map(pid => cpuSeconds(pid, pid))
  const peak = pids.map(rssBytes)
  const timer = setInterval(() => {
    pids.forEach((pid, i) => {
      try { peak[i] = Math.max(peak[i], rssBytes(pid)) } catch {}
    })
  }, intervalMs)
  return () => {
    clearInterval(timer)
    return pids.map((pid, i) => ({
      peakRssMiB: round(Math.max(peak[i], rssBytes(pid)) / MiB),
      cpuSeconds: round(cpuSeconds(pid) - cpuAtStart[i]),
      mainThreadCpuSeconds: round(cpuSeconds(pid, pid) - mainAtStart[i])
    }))
  }
}

export function round (value: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
