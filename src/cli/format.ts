/** Human-readable sizes and durations for the CLI. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

export function formatBytes (bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${UNITS[unit]}`
}

/** "1 peer", "2 peers", "0 peers". */
export function counted (count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}

/** "45s", "4m05s", "2h03m" (a time left: in format.ts, so that `status --watch` need not load the progress bar's library). */
export function formatEta (seconds: number): string {
  const s = Math.ceil(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  const hours = Math.floor(s / 3600)
  return hours >= 100 ? '99h+' : `${hours}h${String(Math.floor(s % 3600 / 60)).padStart(2, '0')}m`
}

/** One parser for durations, shared with the config: `--timeout 90` means seconds. */
export { parseDuration } from '../utils/duration.js'
