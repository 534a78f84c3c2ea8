import { counted, formatBytes } from '../format.js'
import type { NodeStatus } from '../../node/shoal-node.js'
import type { FileStatus, PeerStatus, SwarmStatus } from '../../swarm/types.js'
import type { CommandContext } from '../context.js'

export interface StatusFlags {
  json: boolean
  /** Every peer of every swarm too. */
  peers: boolean
  /** Every file of every swarm too, with its progress. */
  files?: boolean
}

/** `shoal status [--json] [--peers]`: the node and its swarms. */
export async function status (ctx: CommandContext, flags: StatusFlags): Promise<void> {
  const client = await ctx.client()
  const query = [flags.peers ? 'peers=1' : '', flags.files === true ? 'files=1' : ''].filter(q => q !== '').join('&')
  const s = await client.call<NodeStatus>('GET', query === '' ? '/v1/status' : `/v1/status?${query}`)
  if (flags.json) {
    ctx.out(JSON.stringify(s, null, 2))
    return
  }
  ctx.out(`peer id:     ${s.peerId}`)
  for (const a of s.addresses) ctx.out(`address:     ${a}`)
  if (s.swarmKey !== undefined) ctx.out(`swarm key:   ${s.swarmKey} (private swarm)`)
  ctx.out(`connections: ${s.connections}`)
  ctx.out(`swarms:      ${s.swarms.length}`)
  for (const w of s.swarms) {
    ctx.out(`  ${swarmLine(w)}`)
    for (const p of w.peerDetails ?? []) ctx.out(`    ${peerLine(p, w.pieceCount)}`)
    for (const f of w.files ?? []) ctx.out(`    ${fileLine(f)}`)
  }
  for (const p of s.protocols ?? []) ctx.out(`protocol:    ${p.module}  ${p.protocolIds.join(', ')}`)
  for (const b of s.bans) ctx.out(`banned:      ${b.peerId} until ${new Date(b.until).toISOString()}: ${b.reason}`)
}

/** One file of a swarm: how much of it is here, and whether it is fetched at all. */
export function fileLine (f: FileStatus): string {
  const pct = f.size === 0 ? 100 : Math.floor(f.bytesVerified / f.size * 100)
  const state = f.complete ? 'complete' : f.selected ? 'fetching' : 'not selected'
  return `${String(pct).padStart(3)}%  ${formatBytes(f.size).padStart(10)}  ${state.padEnd(12)}  ${f.path}`
}

function rate (bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

/** One swarm, on one line. */
export function swarmLine (w: SwarmStatus): string {
  const pct = w.pieceCount === 0 ? 100 : Math.floor(w.piecesHave / w.pieceCount * 100)
  return `${w.contentId}  ${w.state.padEnd(11)} ${String(pct).padStart(3)}%  ${formatBytes(w.size).padStart(10)}  ${counted(w.peers, 'peer')}  up ${formatBytes(w.uploaded)} (${rate(w.uploadRate)})  down ${formatBytes(w.downloaded)} (${rate(w.downloadRate)})  ${w.name}${w.error === undefined ? '' : `  (${w.error})`}`
}

/**
 * One peer of a swarm, its choke state in words said from our side: "we choke them" (it gets
 * no upload slot here) or "we serve them", "they choke us" or "they serve us".
 */
export function peerLine (p: PeerStatus, pieceCount: number): string {
  const words = [
    p.seed ? 'seed' : `has ${p.piecesHave}/${pieceCount}`,
    p.choked ? 'we choke them' : 'we serve them',
    p.chokingUs ? 'they choke us' : 'they serve us',
    p.snubbed ? 'silent lately (our requests went to others)' : '',
    // a direct connection goes unsaid: the usual case
    p.connection === 'relayed' ? 'through a relay' : ''
  ].filter(f => f !== '')
  return `${p.peerId}  ${words.join(', ')}  up ${formatBytes(p.uploaded)} (${rate(p.uploadRate)})  down ${formatBytes(p.downloaded)} (${rate(p.downloadRate)})  requests ${p.requestsOut} out / ${p.requestsQueued} queued`
}
