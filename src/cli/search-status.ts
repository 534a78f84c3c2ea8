import { SEARCH_REPORTS } from '../config/defaults.js'
import { plural } from '../swarm/search-diagnosis.js'
import type { GetProgressEvent, SearchReport } from '../swarm/types.js'

/** Where the status goes: stderr, or a stand-in in tests. */
export interface StatusStream {
  isTTY?: boolean
  columns?: number
  write(text: string): unknown
}

export interface SearchStatusOptions {
  /** ms between lines without a terminal. @default SEARCH_REPORTS.lineInterval */
  lineInterval?: number
  /** ms searched before the first line without a terminal. @default SEARCH_REPORTS.firstLineAfter */
  firstLineAfter?: number
  now?: () => number
}

/**
 * What a `get` does while it looks for the content, from the node's searching reports: on a
 * terminal one line updated in place, else a line at most every `lineInterval` (the first once
 * the search has gone on for `firstLineAfter`: a get that finds the content at once stays
 * quiet in a script's log). It ends, and a terminal's line is cleared, with the first event of another kind (the
 * manifest arrived: the progress bar takes over) or `stop`.
 */
export class SearchStatus {
  private readonly lineInterval: number
  private readonly firstLineAfter: number
  private readonly now: () => number
  private lastLineAt = -Infinity
  private showing = false
  private ended = false

  constructor (private readonly stream: StatusStream, private readonly contentId: string, options: SearchStatusOptions = {}) {
    this.lineInterval = options.lineInterval ?? SEARCH_REPORTS.lineInterval
    this.firstLineAfter = options.firstLineAfter ?? SEARCH_REPORTS.firstLineAfter
    this.now = options.now ?? Date.now
  }

  update (event: GetProgressEvent): void {
    if (event.type !== 'shoal:get:searching') {
      this.stop()
      return
    }
    if (this.ended) return
    const line = searchLine(this.contentId, event.search)
    if (this.stream.isTTY === true) {
      this.stream.write(`\r${fit(line, this.stream.columns)}\x1b[K`)
      this.showing = true
      return
    }
    if ((event.search?.elapsed ?? 0) < this.firstLineAfter) return
    const now = this.now()
    // reports come every second, a little late or early: ~lineInterval apart, not 6 s
    if (now - this.lastLineAt < this.lineInterval * 0.9) return
    this.lastLineAt = now
    this.stream.write(`${line}\n`)
  }

  stop (): void {
    this.ended = true
    if (this.showing) this.stream.write('\r\x1b[K')
    this.showing = false
  }
}

/** "looking for bafkrei…a4s52zy (12 s): 3 connections, asked 2 peers: 2 don't have it" */
export function searchLine (contentId: string, report: SearchReport | undefined): string {
  const head = `looking for ${shortId(contentId)}`
  // a node older than these reports sends the first event only, bare
  if (report === undefined) return `${head}…`
  const parts = [connectionsPart(report)]
  if (report.providers > 0) parts.push(plural(report.providers, 'provider'))
  if (report.asked > 0) parts.push(`asked ${plural(report.asked, 'peer')}${answersPart(report)}`)
  return `${head} (${Math.round(report.elapsed / 1000)} s): ${parts.join(', ')}`
}

function connectionsPart (report: SearchReport): string {
  if (report.connections > 0) return plural(report.connections, 'connection')
  const { addresses, failedDials, lastFailure } = report.bootstrap
  if (addresses.length === 0) return 'no connections, no bootstrap peers'
  if (failedDials === 0) return 'no connections yet, dialling the bootstrap peers'
  const why = lastFailure === 'encryption' ? ', encryption failed: swarm key?' : lastFailure === 'refused' ? ', connection refused' : ''
  return `no connections (${plural(failedDials, 'bootstrap dial')} failed${why})`
}

function answersPart (report: SearchReport): string {
  const { answers } = report
  const said = [
    answers['not-found'] > 0 ? `${answers['not-found']} don't have it` : '',
    answers.stalled > 0 ? `${answers.stalled} stalled` : '',
    answers.unreachable > 0 ? `${answers.unreachable} unreachable` : '',
    answers.refused > 0 ? `${answers.refused} refused` : '',
    answers.bad > 0 ? `${answers.bad} bad` : ''
  ].filter(part => part !== '')
  return said.length === 0 ? '' : `: ${said.join(', ')}`
}

/** Long content ids shortened to their start and end: enough to recognise one. */
export function shortId (contentId: string): string {
  return contentId.length <= 24 ? contentId : `${contentId.slice(0, 12)}…${contentId.slice(-7)}`
}

/** A line cut to the terminal's width, so that it updates in place instead of wrapping. */
function fit (line: string, columns: number | undefined): string {
  if (columns === undefined || columns < 2 || line.length < columns) return line
  return `${line.slice(0, columns - 2)}…`
}
