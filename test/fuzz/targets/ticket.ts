/**
 * decodeTicket on untrusted text: arbitrary strings, mutated valid tickets, base32 of random
 * bytes. The only failure is InvalidTicketError; what it accepts is within the limits and
 * encodes back to the same ticket.
 */
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { base32 } from 'multiformats/bases/base32'
import { TICKET } from '../../../src/config/defaults.js'
import { contentIdOf } from '../../../src/core/content-id.js'
import { decodeTicket, encodeTicket, TICKET_PREFIX } from '../../../src/core/ticket.js'
import { FuzzFailure, bytes, check, expectNamed, mutated } from '../target.js'
import type { Ticket } from '../../../src/core/ticket.js'
import type { FuzzTarget } from '../target.js'

const PEER = '12D3KooWGRUVh8QbFNJ4XvdcXGbBJ2hNbUiZ5eS5nSkVY2LLxr8R'
const address = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 65535 }))
  .map(([octet, port]) => multiaddr(`/ip4/10.0.0.${octet}/tcp/${port}/p2p/${PEER}`))
const valid = fc.tuple(bytes(32), fc.array(address, { maxLength: 20 }))
  .map(([seed, addresses]) => encodeTicket(contentIdOf(seed), addresses, TICKET))
const encoder = new TextEncoder()
const decoder = new TextDecoder()
const inputs = fc.oneof(
  valid,
  mutated(valid.map(t => encoder.encode(t))).map(b => decoder.decode(b)),
  bytes(300).map(b => TICKET_PREFIX + base32.baseEncode(b)),
  fc.string({ maxLength: 200 }).map(s => TICKET_PREFIX + s),
  fc.string({ maxLength: 80 }),
  fc.constantFrom('', TICKET_PREFIX, `${TICKET_PREFIX}a`, `${TICKET_PREFIX}${'7'.repeat(5000)}`, 'SHOAL1AA')
)

function checkAccepted (ticket: Ticket): void {
  if (ticket.addresses.length > TICKET.maxAddresses) throw new FuzzFailure(`accepted ${ticket.addresses.length} addresses`)
  const again = decodeTicket(encodeTicket(ticket.contentId, ticket.addresses, TICKET), TICKET)
  if (!again.contentId.equals(ticket.contentId) || again.addresses.length !== ticket.addresses.length) throw new FuzzFailure('no round trip')
}

export const ticketTarget: FuzzTarget = {
  name: 'ticket',
  description: 'decodeTicket: untrusted text, only InvalidTicketError',
  run: async (runs, seed) => await check(fc.property(inputs, (input) => {
    let ticket: Ticket
    try {
      ticket = decodeTicket(input, TICKET)
    } catch (err) {
      expectNamed(err, ['InvalidTicketError'], 'decodeTicket')
      return
    }
    checkAccepted(ticket)
  }), runs, seed)
}
