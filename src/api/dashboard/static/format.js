// Numbers as the CLI shows them: bytes in binary units, rates per second, durations short.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

export function formatBytes (bytes) {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`
}

export function formatRate (bytesPerSecond) {
  return `${formatBytes(bytesPerSecond)}/s`
}

export function formatDuration (seconds) {
  if (seconds === undefined) return '–'
  if (seconds < 60) return `${seconds} s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`
  return `${Math.floor(seconds / 3600)} h ${Math.floor(seconds % 3600 / 60)} min`
}

/** The choke state in the words `shoal status --peers` uses. */
export function chokeWords (peer) {
  return [
    peer.choked ? 'we choke them' : 'we serve them',
    peer.chokingUs ? 'they choke us' : 'they serve us',
    peer.snubbed ? 'silent lately' : ''
  ].filter(w => w !== '').join(', ')
}

export function percent (have, count) {
  return count === 0 ? 100 : Math.floor(have / count * 100)
}
