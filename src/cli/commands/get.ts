import { resolve } from 'node:path'
import { parseContentId } from '../../core/content-id.js'
import { remoteError } from '../../api/client.js'
import { formatBytes } from '../format.js'
import { looksLikeTicket } from '../../core/ticket-prefix.js'
import type { ApiClient } from '../../api/client.js'
import type { Ticket } from '../../core/ticket.js'
import type { ProgressBar } from '../progress.js'
import { SearchStatus } from '../search-status.js'
import { onInterrupt, quoted } from '../detach.js'
import type { Detached } from '../detach.js'
import type { GetProgressEvent } from '../../swarm/types.js'
import type { CommandContext } from '../context.js'

export interface GetFlags {
  output?: string
  /** ms to look for a first peer. */
  timeout?: number
  force: boolean
  /** Fetch pieces in order rather than rarest first. */
  sequential: boolean
  /** Fetch only these files or folders of the content. */
  only?: string[]
}

type StreamEvent = GetProgressEvent | { type: 'done', path: string } | { type: 'error', error: { name: string, message: string } }

/**
 * `shoal get CID` or `shoal get TICKET` (the ticket's peers are dialled first): exits 0 only
 * once every piece is verified and the content is in place.
 */
export async function get (ctx: CommandContext, cidText: string, flags: GetFlags): Promise<void> {
  // a malformed id or ticket fails here, before the node is asked; the ticket codecs (the
  // multiaddr library, ~25 ms to load) only for a ticket
  const tickets = looksLikeTicket(cidText) ? await import('../tickets.js') : undefined
  const ticket = tickets?.ticketArgument(cidText)
  const contentId = ticket?.contentId.toString() ?? parseContentId(cidText).toString()
  const client = await ctx.client()
  if (tickets !== undefined && ticket !== undefined) await dialTicket(ctx, client, tickets, ticket)
  // the progress bar's library is loaded only for a terminal
  const bar: ProgressBar | undefined = process.stderr.isTTY ? new (await import('../progress.js')).ProgressBar(process.stderr) : undefined
  const search = new SearchStatus(process.stderr, contentId)
  let result: StreamEvent | undefined
  const output = flags.output === undefined ? undefined : resolve(flags.output)
  const detached: Detached = { contentId, path: output, downloading: false, configArg: ctx.configGiven ? ` --config ${quoted(ctx.configLabel)}` : '' }
  const stopWatching = onInterrupt(() => detached, () => { bar?.stop() })
  try {
    await client.stream('/v1/get', {
      contentId,
      // the node runs in another process, with another working directory: paths go to it absolute
      ...(output === undefined ? { outputDir: process.cwd() } : { output }),
      ...(flags.timeout === undefined ? {} : { timeout: flags.timeout }),
      force: flags.force,
      ...(flags.sequential ? { sequential: true } : {}),
      ...(flags.only === undefined ? {} : { only: flags.only })
    }, (event: StreamEvent) => {
      if (event.type === 'done' || event.type === 'error') {
        result = event
        return
      }
      search.update(event)
      bar?.update(event)
      noteProgress(detached, event)
    })
  } finally {
    stopWatching()
    search.stop()
    bar?.stop()
  }
  if (result === undefined) throw remoteError({ name: 'ApiError', message: 'the node closed the download without a result' })
  if (result.type === 'error') throw remoteError(result.error)
  if (result.type === 'done') {
    ctx.err(`got ${contentId}${bar === undefined ? '' : ` (${formatBytes(bar.total)})`}`)
    ctx.out(result.path)
  }
}

/** The ticket's peers first; none reached is said, and the search goes on as for a content id. */
async function dialTicket (ctx: CommandContext, client: ApiClient, tickets: typeof import('../tickets.js'), ticket: Ticket): Promise<void> {
  if (ticket.addresses.length === 0) return
  const { reached, peers, failure } = await tickets.dialTicketPeers(client, ticket)
  if (reached === 0) ctx.err(`could not reach the ticket's ${peers === 1 ? 'peer' : `${peers} peers`} (${failure ?? 'no answer'}); looking for others`)
}

/** What Ctrl-C says depends on how far the get came: the manifest makes it a download, and names it. */
function noteProgress (detached: Detached, event: StreamEvent): void {
  if (event.type === 'shoal:get:manifest') {
    detached.downloading = true
    detached.path ??= resolve(event.name)
  } else if (event.type === 'shoal:get:progress') {
    detached.downloading = true
  }
}
