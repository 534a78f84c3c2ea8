/**
 * What `shoal ticket` puts in a ticket (issue 16, item 5): the node's addresses, public first,
 * then LAN, then relayed, loopback last; content the node does not have is refused.
 */
import assert from 'node:assert/strict'
import { TICKET } from '../../../src/config/defaults.js'
import { contentIdOf } from '../../../src/core/content-id.js'
import { decodeTicket } from '../../../src/core/ticket.js'
import { ticketArgument, ticketOf } from '../../../src/cli/tickets.js'
import type { NodeStatus } from '../../../src/node/shoal-node.js'

const PEER = '12D3KooWGRUVh8QbFNJ4XvdcXGbBJ2hNbUiZ5eS5nSkVY2LLxr8R'
const RELAY = '12D3KooWCXWdFq9hYSFvcX3aGeotcJnuSwUGKFZfoVidJERadSWz'
const CID = contentIdOf(new TextEncoder().encode('x')).toString()

function status (addresses: string[]): NodeStatus {
  return { peerId: PEER, addresses, connections: 0, reachability: 'unknown', confirmedAddresses: [], swarms: [{ contentId: CID } as NodeStatus['swarms'][number]], bans: [], protocols: [] }
}

describe('cli/tickets', () => {
  it('orders the addresses public, LAN, relayed, loopback', () => {
    const loopback = `/ip4/127.0.0.1/tcp/4100/p2p/${PEER}`
    const lan = `/ip4/192.168.1.5/tcp/4100/p2p/${PEER}`
    const relayed = `/ip4/93.184.216.34/tcp/4100/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`
    const open = `/ip4/93.184.216.35/tcp/4100/p2p/${PEER}`
    const ticket = decodeTicket(ticketOf(status([loopback, relayed, lan, open]), CID), TICKET)
    assert.deepEqual(ticket.addresses.map(String), [open, lan, relayed, loopback])
    assert.equal(ticket.contentId.toString(), CID)
  })

  it('refuses content the node does not have, and a bad ticket as a usage error', () => {
    const other = contentIdOf(new TextEncoder().encode('y')).toString()
    assert.throws(() => ticketOf(status([]), other), (err: Error) => err.name === 'UnknownContentError' && err.message.includes('this node has no content'))
    assert.throws(() => ticketArgument('shoal1!!'), (err: Error) => err.name === 'UsageError')
  })
})
