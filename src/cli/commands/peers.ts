import { parseContentId } from '../../core/content-id.js'
import { UnknownContentError } from '../../errors.js'
import { peerLine } from './status.js'
import type { NodeStatus } from '../../node/shoal-node.js'
import type { CommandContext } from '../context.js'

/**
 * `shoal peers CID [--json]`: one swarm's peers, one line each in `status --peers`'s words
 * (stdout holds only peer lines, so `wc -l` counts them); `--json` prints the swarm's
 * `peerDetails` array. No swarm for CID is an UnknownContentError, exit 1.
 */
export async function peers (ctx: CommandContext, cidText: string, flags: { json: boolean }): Promise<void> {
  const contentId = parseContentId(cidText).toString()
  const client = await ctx.client()
  const status = await client.call<NodeStatus>('GET', '/v1/status?peers=1')
  const swarm = status.swarms.find(w => w.contentId === contentId)
  if (swarm === undefined) throw new UnknownContentError(`no swarm for ${contentId}`)
  const details = swarm.peerDetails ?? []
  if (flags.json) {
    ctx.out(JSON.stringify(details, null, 2))
    return
  }
  for (const p of details) ctx.out(peerLine(p, swarm.pieceCount))
  if (details.length === 0) ctx.err(`no peers in the swarm of ${contentId} now`)
}
