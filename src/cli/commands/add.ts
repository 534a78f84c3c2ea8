import { resolve } from 'node:path'
import { formatBytes } from '../format.js'
import { ticketOf } from '../tickets.js'
import type { NodeStatus } from '../../node/shoal-node.js'
import type { AddResult } from '../../swarm/types.js'
import type { CommandContext } from '../context.js'

/** `shoal add PATH`: the content id is the last line of stdout; its ticket goes to stderr. */
export async function add (ctx: CommandContext, path: string, flags: { followSymlinks: boolean } = { followSymlinks: false }): Promise<void> {
  const client = await ctx.client()
  const result = await client.call<AddResult>('POST', '/v1/add', { path: resolve(path), ...(flags.followSymlinks ? { followSymlinks: true } : {}) })
  const skipped = result.skippedLinks
  if (skipped !== undefined) {
    const more = skipped.count > skipped.first.length ? ` and ${skipped.count - skipped.first.length} more` : ''
    ctx.err(`skipped ${skipped.count} symbolic link${skipped.count === 1 ? '' : 's'} (${skipped.first.join(', ')}${more}); add --follow-symlinks to follow them to their files`)
  }
  ctx.err(`added ${result.name}: ${formatBytes(result.size)} in ${result.pieceCount} pieces, seeding from ${result.path}`)
  ctx.err(`ticket: ${ticketOf(await client.call<NodeStatus>('GET', '/v1/status'), result.contentId)}`)
  ctx.out(result.contentId)
}
