/**
 * The frame `shoal status --watch` draws: a node line, then one line per swarm (state,
 * progress bar, rates, peers, ETA) and, with --peers, its peers; no blank line, so that
 * snapshots printed one after another part at a blank line. Pure: the text for a status,
 * cut to the terminal's width so that no line wraps and a redraw in place stays in place.
 */
import { counted, formatBytes, formatEta } from './format.js'
import { peerLine } from './commands/status.js'
import type { NodeStatus } from '../node/shoal-node.js'
import type { SwarmStatus } from '../swarm/types.js'

export interface ViewOptions {
  /** Each swarm's peers under it. */
  peers: boolean
  /** Columns a line may take; undefined = no limit (no terminal). */
  width?: number
  /** Lines the frame may take (a taller frame would scroll, and the next redraw land below it); undefined = no limit. */
  height?: number
  /** When the status was taken, for the header. */
  at: Date
}

const BAR_CELLS = 20

export function watchFrame (s: NodeStatus, opts: ViewOptions): string[] {
  const up = s.swarms.reduce((sum, w) => sum + w.uploadRate, 0)
  const down = s.swarms.reduce((sum, w) => sum + w.downloadRate, 0)
  const lines = [
    `shoal ${s.peerId}  ${opts.at.toISOString().slice(11, 19)}  ${counted(s.connections, 'connection')}  ${counted(s.swarms.length, 'swarm')}  down ${rate(down)}  up ${rate(up)}  ${counted(s.bans.length, 'ban')}`
  ]
  if (s.swarms.length === 0) lines.push('no swarms (shoal add PATH or shoal get CID starts one)')
  for (const w of s.swarms) {
    lines.push(swarmWatchLine(w))
    if (opts.peers) for (const p of w.peerDetails ?? []) lines.push(`    ${peerLine(p, w.pieceCount)}`)
  }
  const shown = opts.height === undefined ? lines : cut(lines, opts.height)
  return opts.width === undefined ? shown : shown.map(l => fit(l, opts.width as number))
}

/** At most `height` lines, the last saying how many more there are. */
function cut (lines: string[], height: number): string[] {
  if (lines.length <= height) return lines
  const kept = Math.max(1, height - 1)
  return [...lines.slice(0, kept), `… ${lines.length - kept} more lines (a taller terminal shows them; shoal status lists all)`]
}

/** "name  downloading [######----] 42%  1.2 MiB/s down  3 peers  ETA 1m05s  bafy…". */
export function swarmWatchLine (w: SwarmStatus): string {
  const fraction = w.pieceCount === 0 ? 1 : w.piecesHave / w.pieceCount
  const pct = `${String(Math.floor(fraction * 100)).padStart(3)}%`
  const fields = [
    w.name,
    w.state.padEnd(11),
    `[${bar(fraction)}] ${pct} of ${formatBytes(w.size)}`,
    `down ${rate(w.downloadRate)}`,
    `up ${rate(w.uploadRate)}`,
    counted(w.peers, 'peer'),
    `ETA ${eta(w)}`,
    w.contentId
  ]
  return `${fields.join('  ')}${w.error === undefined ? '' : `  (${w.error})`}`
}

/** Time left at the present download rate: "--" when nothing comes, "-" when nothing is left to get. */
export function eta (w: SwarmStatus): string {
  if (w.piecesHave >= w.pieceCount) return '-'
  if (w.state !== 'downloading' || w.downloadRate <= 0) return '--'
  const left = Math.max(0, w.size - w.piecesHave * w.pieceSize)
  return formatEta(left / w.downloadRate)
}

function bar (fraction: number): string {
  const full = Math.min(BAR_CELLS, Math.floor(fraction * BAR_CELLS))
  return '#'.repeat(full) + '-'.repeat(BAR_CELLS - full)
}

function rate (bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

/** A line cut to `width` columns (an ellipsis marks the cut). */
function fit (line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(0, width - 1))}…`
}
