import { ticketOf } from '../tickets.js'
import type { NodeStatus } from '../../node/shoal-node.js'
import type { CommandContext } from '../context.js'

/**
 * `shoal ticket CID`: one line, the content id and this node's addresses (direct and
 * relayed) for `shoal get TICKET` on another machine, with no bootstrap list and no DHT.
 */
export async function ticket (ctx: CommandContext, cidText: string): Promise<void> {
  const client = await ctx.client()
  const status = await client.call<NodeStatus>('GET', '/v1/status')
  ctx.out(ticketOf(status, cidText))
}
