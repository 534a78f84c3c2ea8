import { multiaddr } from '@multiformats/multiaddr'
import { TICKET } from '../config/defaults.js'
import { parseContentId } from '../core/content-id.js'
import { decodeTicket, encodeTicket } from '../core/ticket.js'
import { UnknownContentError } from '../errors.js'
import { UsageError } from './usage.js'
import type { ApiClient } from '../api/client.js'
import type { Ticket } from '../core/ticket.js'
import type { NodeStatus } from '../node/shoal-node.js'
import type { Multiaddr } from '@multiformats/multiaddr'

/**
 * Where an address is worth trying from another machine, best first: public, then LAN,
 * then through a relay, loopback last (it reaches only a node on the reader's own machine).
 */
function rank (address: Multiaddr): number {
  const text = address.toString()
  if (text.includes('/p2p-circuit')) return 2
  if (/^\/ip[46]\/(127\.|::1\/|0\.0\.0\.0\/)/.test(text)) return 3
  if (/^\/ip4\/(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)|^\/ip6\/f[cde]/.test(text)) return 1
  return 0
}

/** The ticket of a content id this node has, from its status: UnknownContentError when it has none. */
export function ticketOf (status: NodeStatus, contentIdText: string): string {
  const contentId = parseContentId(contentIdText)
  if (!status.swarms.some(w => w.contentId === contentId.toString())) {
    throw new UnknownContentError(`this node has no content ${contentId.toString()} (shoal add it, or get it, first)`)
  }
  const addresses = status.addresses.map(a => multiaddr(a)).sort((a, b) => rank(a) - rank(b))
  return encodeTicket(contentId, addresses, TICKET)
}

/** A ticket from the command line: a usage error in one line when it is not one. */
export function ticketArgument (text: string): Ticket {
  try {
    return decodeTicket(text, TICKET)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/**
 * Dial the ticket's addresses through the node (trusted as `shoal connect` addresses are),
 * all at once: one unreachable address then costs no more than the slowest, 15 s, however many
 * the ticket holds. Resolves with how many peers were reached and a failure, so the caller can
 * say why none was.
 */
export async function dialTicketPeers (client: ApiClient, ticket: Ticket): Promise<{ reached: number, peers: number, failure?: string }> {
  const peerOf = (address: Multiaddr): string => address.getComponents().at(-1)?.value ?? ''
  let failure: string | undefined
  const reached = new Set<string>()
  await Promise.all(ticket.addresses.map(async (address) => {
    try {
      await client.call('POST', '/v1/connect', { address: address.toString() })
      reached.add(peerOf(address))
    } catch (err) {
      failure = (err as Error).message
    }
  }))
  return { reached: reached.size, peers: new Set(ticket.addresses.map(peerOf)).size, ...(failure === undefined ? {} : { failure }) }
}
