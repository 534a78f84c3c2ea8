import { resolve } from 'node:path'
import { formatBytes } from '../format.js'
import type { AddResult } from '../../swarm/types.js'
import type { CommandContext } from '../context.js'

/** `shoal add PATH`: the content id is the last line of stdout. */
export async function add (ctx: CommandContext, path: string): Promise<void> {
  const client = await ctx.client()
  const result = await client.call<AddResult>('POST', '/v1/add', { path: resolve(path) })
  ctx.err(`added ${result.name}: ${formatBytes(result.size)} in ${result.pieceCount} pieces, seeding from ${result.path}`)
  ctx.out(result.contentId)
}
