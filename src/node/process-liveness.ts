import { readFileSync } from 'node:fs'

/** Linux's clock tick for /proc times (USER_HZ, `getconf CLK_TCK`): 100 on every Linux architecture. */
const CLOCK_TICKS_PER_S = 100

/**
 * Whether process `pid` exists on this machine. A zombie (killed, not yet reaped by its
 * parent) counts as gone: it holds nothing any more. A process of another user counts as alive.
 */
export function processExists (pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  return linuxProcessState(pid) !== 'Z' && linuxProcessState(pid) !== 'X'
}

/**
 * When process `pid` started, in ms since the epoch, where it can be told: this process
 * always, others on Linux (from /proc); undefined elsewhere. A pid in use by a process that
 * started after a lock was written is not the pid that wrote it (pids are reused: after a
 * reboot, or in a container where every start is pid 1).
 */
export function processStartMs (pid: number): number | undefined {
  if (pid === process.pid) return Date.now() - process.uptime() * 1000
  const fields = linuxStatFields(pid)
  const bootSeconds = linuxBootSeconds()
  if (fields === undefined || bootSeconds === undefined) return undefined
  // field 22 of /proc/<pid>/stat (starttime, in clock ticks since boot) is index 19 after "(comm) "
  const ticks = Number(fields[19])
  return Number.isFinite(ticks) ? bootSeconds * 1000 + ticks * 1000 / CLOCK_TICKS_PER_S : undefined
}

function linuxProcessState (pid: number): string | undefined {
  return linuxStatFields(pid)?.[0]
}

/** /proc/<pid>/stat's fields after "(comm) " (comm may hold spaces): the state first. */
function linuxStatFields (pid: number): string[] | undefined {
  if (process.platform !== 'linux') return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return undefined
  }
}

function linuxBootSeconds (): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n').find(l => l.startsWith('btime '))
    const seconds = Number(line?.slice(6))
    return line !== undefined && Number.isFinite(seconds) ? seconds : undefined
  } catch {
    return undefined
  }
}
