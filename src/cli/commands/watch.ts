import { WATCH } from '../../config/defaults.js'
import { watchFrame } from '../watch-view.js'
import type { NodeStatus } from '../../node/shoal-node.js'
import type { CommandContext } from '../context.js'

/** ANSI: hide and show the cursor; home; clear to the end of the line, and below. */
const HIDE_CURSOR = '\x1b[?25l'
const SHOW_CURSOR = '\x1b[?25h'
const HOME = '\x1b[H'
const CLEAR_LINE_END = '\x1b[K'
const CLEAR_BELOW = '\x1b[J'
const CLEAR_SCREEN = '\x1b[2J'

export interface WatchOptions {
  peers: boolean
  /** ms between polls. @default WATCH.interval */
  interval?: number
}

/**
 * `shoal status --watch`: a live view until Ctrl-C, like `top`. On a terminal the frame is
 * redrawn in place (home, each line cleared to its end, the rest of the screen cleared); without
 * one, a snapshot is printed per interval, a blank line between them, for a log or a pipe.
 * Ctrl-C (and SIGTERM) end it with the cursor shown, exit 0. A node that stops answering ends it
 * with that error.
 */
export async function watch (ctx: CommandContext, opts: WatchOptions): Promise<void> {
  const client = await ctx.client()
  const out = process.stdout
  const terminal = out.isTTY
  const stopped = new AbortController()
  const stop = (): void => { stopped.abort() }
  // `on`, not `once`: a second Ctrl-C while the last frame is drawn must not kill it with the cursor hidden
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  if (terminal) out.write(HIDE_CURSOR + CLEAR_SCREEN)
  try {
    let first = true
    while (!stopped.signal.aborted) {
      const status = await client.call<NodeStatus>('GET', opts.peers ? '/v1/status?peers=1' : '/v1/status')
      if (stopped.signal.aborted) break
      const lines = watchFrame(status, { peers: opts.peers, width: terminal ? out.columns : undefined, height: terminal && out.rows > 1 ? out.rows - 1 : undefined, at: new Date() })
      out.write(terminal ? inPlace(lines) : `${first ? '' : '\n'}${lines.join('\n')}\n`)
      first = false
      await pause(opts.interval ?? WATCH.interval, stopped.signal)
    }
  } finally {
    process.off('SIGINT', stop)
    process.off('SIGTERM', stop)
    if (terminal) out.write(`${SHOW_CURSOR}\n`)
  }
}

/** One frame drawn over the last: each line ends by clearing what the last frame left there. */
function inPlace (lines: string[]): string {
  return `${HOME}${lines.map(l => `${l}${CLEAR_LINE_END}`).join('\n')}\n${CLEAR_BELOW}`
}

async function pause (ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return
  await new Promise<void>(resolve => {
    const timer = setTimeout(done, ms)
    function done (): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })
}
