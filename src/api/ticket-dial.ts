import { TICKET } from '../config/defaults.js'
import { decodeTicket } from '../core/ticket.js'
import { HttpError } from './requests.js'
import type { ApiNode } from './server.js'

/** What `POST /v1/ticket/dial` answers: the ticket's content id, and how many of its peers were reached. */
export interface TicketDialResult {
  contentId: string
  /** Peers the ticket names. */
  peers: number
  /** Of those, connected now. */
  reached: number
  /** Why the last dial that failed did, when none was reached. */
  failure?: string
}

/**
 * Dial every address of a ticket at once, trusted as `shoal connect` addresses are: the
 * dashboard's way (and any API client's) to get by ticket. A text that is no ticket is a 400.
 */
export async function dialTicket (node: Pick<ApiNode, 'connect'>, text: string, signal: AbortSignal): Promise<TicketDialResult> {
  let ticket
  try {
    ticket = decodeTicket(text, TICKET)
  } catch (err) {
    throw new HttpError(400, (err as Error).message)
  }
  const peers = new Set(ticket.addresses.map(peerOf))
  const reached = new Set<string>()
  let failure: string | undefined
  await Promise.all(ticket.addresses.map(async (address) => {
    try {
      reached.add((await node.connect(address.toString(), { signal })).peerId)
    } catch (err) {
      failure = (err as Error).message
    }
  }))
  return { contentId: ticket.contentId.toString(), peers: peers.size, reached: reached.size, ...(reached.size === 0 && failure !== undefined ? { failure } : {}) }
}

function peerOf (address: { getComponents: () => Array<{ value?: string }> }): string {
  return address.getComponents().at(-1)?.value ?? ''
}
