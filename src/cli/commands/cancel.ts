import { parseContentId } from '../../core/content-id.js'
import type { CancelResult } from '../../swarm/types.js'
import type { CommandContext } from '../context.js'

/** `shoal cancel CID [--remove]`: stop and forget a swarm; one line says what became of its files. */
export async function cancel (ctx: CommandContext, cidText: string, flags: { remove: boolean }): Promise<void> {
  const contentId = parseContentId(cidText).toString()
  const client = await ctx.client()
  const result = await client.call<CancelResult>('POST', '/v1/cancel', { contentId, remove: flags.remove })
  ctx.out(`cancelled ${result.contentId} (${whatBecameOf(result)})`)
}

export function whatBecameOf (result: CancelResult): string {
  if (result.removed) return `removed ${result.path}`
  if (result.origin === 'seed') return `stopped seeding; the added ${result.path} is never removed`
  return `${result.complete ? 'output' : 'partial output'} kept at ${result.path}`
}
