/**
 * Tickets (issue 16, item 5): a content id and a node's addresses in one string, read back
 * as untrusted input: caps on length, addresses and their bytes; garbage is one clear error.
 */
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { base32 } from 'multiformats/bases/base32'
import { TICKET } from '../../../src/config/defaults.js'
import { contentIdOf } from '../../../src/core/content-id.js'
import { decodeTicket, encodeTicket, looksLikeTicket } from '../../../src/core/ticket.js'

const PEER = '12D3KooWGRUVh8QbFNJ4XvdcXGbBJ2hNbUiZ5eS5nSkVY2LLxr8R'
const RELAY = '12D3KooWCXWdFq9hYSFvcX3aGeotcJnuSwUGKFZfoVidJERadSWz'
const CID = contentIdOf(new TextEncoder().encode('a manifest'))
const DIRECT = multiaddr(`/ip4/192.168.1.5/tcp/4100/p2p/${PEER}`)
const RELAYED = multiaddr(`/ip4/198.51.100.1/tcp/4100/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`)

function invalid (text: string, message: RegExp): void {
  assert.throws(() => decodeTicket(text, TICKET), (err: Error) => err.name === 'InvalidTicketError' && message.test(err.message) && !err.message.includes('\n'))
}

describe('core/ticket', () => {
  it('round-trips a content id with direct and relayed addresses, as one word', () => {
    const text = encodeTicket(CID, [DIRECT, RELAYED], TICKET)
    assert.match(text, /^shoal1[a-z2-7]+$/)
    assert.ok(looksLikeTicket(text))
    const ticket = decodeTicket(`  ${text}\n`, TICKET)
    assert.ok(ticket.contentId.equals(CID))
    assert.deepEqual(ticket.addresses.map(String), [DIRECT.toString(), RELAYED.toString()])
  })

  it('is short: a content id and two addresses (one relayed) in under 320 characters', () => {
    assert.ok(encodeTicket(CID, [DIRECT, RELAYED], TICKET).length < 320)
  })

  it('leaves out addresses without a peer id and those past the caps', () => {
    const many = Array.from({ length: 40 }, (_, i) => multiaddr(`/ip4/10.0.0.${i}/tcp/4100/p2p/${PEER}`))
    const ticket = decodeTicket(encodeTicket(CID, [multiaddr('/ip4/10.1.1.1/tcp/1'), ...many], TICKET), TICKET)
    assert.equal(ticket.addresses.length, TICKET.maxAddresses)
    assert.equal(ticket.addresses[0].toString(), many[0].toString())
  })

  it('refuses what is not a ticket, a content id included, in one line', () => {
    invalid(CID.toString(), /is not a ticket \(a ticket starts with shoal1\)/)
    invalid('', /not a ticket/)
    invalid('shoal1!!!', /not base32/)
  })

  it('refuses a ticket cut short or with bytes after its end', () => {
    const text = encodeTicket(CID, [DIRECT], TICKET)
    invalid(text.slice(0, text.length - 10), /damaged/)
    invalid(`shoal1${base32.baseEncode(new Uint8Array([...base32.baseDecode(text.slice(6)), 1, 2]))}`, /bytes follow its last address/)
  })

  it('caps the text, the address count and the lengths before reading them', () => {
    invalid(`shoal1${'a'.repeat(TICKET.maxLength)}`, /at most 4096/)
    const cid = CID.bytes
    const tooMany = new Uint8Array([cid.byteLength, ...cid, 100])
    invalid(`shoal1${base32.baseEncode(tooMany)}`, /names 100 addresses; at most 16/)
    const hugeLength = new Uint8Array([0xff, 0xff, 0xff, 0x7f])
    invalid(`shoal1${base32.baseEncode(hugeLength)}`, /too large/)
    const longCid = new Uint8Array([0x80, 0x02, ...new Uint8Array(256)])
    invalid(`shoal1${base32.baseEncode(longCid)}`, /content id is 256 bytes; at most 128/)
  })

  it('refuses a bad content id and an address without a peer id', () => {
    const notShoal = new Uint8Array([3, 1, 2, 3, 0])
    invalid(`shoal1${base32.baseEncode(notShoal)}`, /its content id is not a Shoal content id/)
    const bare = multiaddr('/ip4/10.0.0.1/tcp/1').bytes
    invalid(`shoal1${base32.baseEncode(new Uint8Array([CID.bytes.byteLength, ...CID.bytes, 1, bare.byteLength, ...bare]))}`, /does not end in \/p2p\/<peer id>/)
  })
})
