import { formatBytes } from '../format.js'
import type { NodeStatus } from '../../node/shoal-node.js'
import type { CommandContext } from '../context.js'

/** `shoal status [--json]`: the node and its swarms. */
export async function status (ctx: CommandContext, json: boolean): Promise<void> {
  const client = await ctx.client()
  const s = await client.call<NodeStatus>('GET', '/v1/status')
  if (json) {
    ctx.out(JSON.stringify(s, null, 2))
    return
  }
  ctx.out(`peer id:     ${s.peerId}`)
  for (const a of s.addresses) ctx.out(`address:     ${a}`)
  if (s.swarmKey !== undefined) ctx.out(`swarm key:   ${s.swarmKey} (private swarm)`)
  ctx.out(`connections: ${s.connections}`)
  ctx.out(`swarms:      ${s.swarms.length}`)
  for (const w of s.swarms) {
    const pct = w.pieceCount === 0 ? 100 : Math.floor(w.piecesHave / w.pieceCount * 100)
    ctx.out(`  ${w.contentId}  ${w.state.padEnd(11)} ${String(pct).padStart(3)}%  ${formatBytes(w.size).padStart(10)}  ${w.peers} peers  up ${formatBytes(w.uploaded)}  down ${formatBytes(w.downloaded)}  ${w.name}${w.error === undefined ? '' : `  (${w.error})`}`)
  }
  for (const p of s.protocols ?? []) ctx.out(`protocol:    ${p.module}  ${p.protocolIds.join(', ')}`)
  for (const b of s.bans) ctx.out(`banned:      ${b.peerId} until ${new Date(b.until).toISOString()}: ${b.reason}`)
}
