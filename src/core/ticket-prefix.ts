/**
 * How a ticket begins (`shoal1`: the form's version), apart from core/ticket.ts, which loads
 * the multiaddr codecs: telling a ticket from a content id costs a command nothing.
 */
export const TICKET_PREFIX = 'shoal1'

/** Whether text is meant as a ticket (its prefix), before it is decoded. */
export function looksLikeTicket (text: string): boolean {
  return text.trim().toLowerCase().startsWith(TICKET_PREFIX)
}
