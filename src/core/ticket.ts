import { multiaddr } from '@multiformats/multiaddr'
import { base32 } from 'multiformats/bases/base32'
import * as varint from 'uint8-varint'
import { InvalidTicketError } from '../errors.js'
import { parseContentId } from './content-id.js'
import { TICKET_PREFIX, looksLikeTicket } from './ticket-prefix.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { CID } from 'multiformats/cid'

/**
 * A ticket: a content id and the addresses of a node that has it, in one copy-and-paste
 * string. `shoal1` (the form's version) then lowercase base32 without padding of:
 * varint length + CID bytes, varint count, and per address varint length + multiaddr bytes.
 * Base32 keeps it one word (no `/`, `+` or `=`) that survives URLs, shells and double-clicks.
 */
export { TICKET_PREFIX, looksLikeTicket } from './ticket-prefix.js'

export interface Ticket {
  contentId: CID
  /** Each ends in /p2p/<peer id>. */
  addresses: Multiaddr[]
}

export interface TicketLimits {
  maxLength: number
  maxAddresses: number
  maxAddressBytes: number
  maxContentIdBytes: number
}


/**
 * The ticket of a content id and addresses: those without /p2p/<peer id> and those past a
 * limit are left out (the first `maxAddresses` that fit are kept, in the order given).
 */
export function encodeTicket (contentId: CID, addresses: readonly Multiaddr[], limits: TicketLimits): string {
  const kept = addresses.filter(a => a.bytes.byteLength <= limits.maxAddressBytes && peerOf(a) !== undefined).slice(0, limits.maxAddresses)
  const parts: Uint8Array[] = [lengthPrefixed(contentId.bytes), varint.encode(kept.length)]
  for (const address of kept) parts.push(lengthPrefixed(address.bytes))
  return TICKET_PREFIX + base32.baseEncode(concat(parts))
}

/** Read a ticket from untrusted text: InvalidTicketError saying what is wrong. */
export function decodeTicket (text: string, limits: TicketLimits): Ticket {
  const trimmed = text.trim()
  if (trimmed.length > limits.maxLength) throw new InvalidTicketError(`the ticket is ${trimmed.length} characters long; at most ${limits.maxLength} are read`)
  if (!looksLikeTicket(trimmed)) throw new InvalidTicketError(`"${trimmed.slice(0, 40)}" is not a ticket (a ticket starts with ${TICKET_PREFIX})`)
  let bytes: Uint8Array
  try {
    bytes = base32.baseDecode(trimmed.slice(TICKET_PREFIX.length).toLowerCase())
  } catch {
    throw new InvalidTicketError('the ticket is damaged: it is not base32 after shoal1 (copied only in part?)')
  }
  return readTicket(new Reader(bytes), limits)
}

function readTicket (reader: Reader, limits: TicketLimits): Ticket {
  const contentId = parseContentIdOf(reader.chunk(limits.maxContentIdBytes, 'content id'))
  const count = reader.varint()
  if (count > limits.maxAddresses) throw new InvalidTicketError(`the ticket names ${count} addresses; at most ${limits.maxAddresses} are read`)
  const addresses: Multiaddr[] = []
  for (let i = 0; i < count; i++) addresses.push(parseAddress(reader.chunk(limits.maxAddressBytes, 'address')))
  if (!reader.done()) throw new InvalidTicketError('the ticket is damaged: bytes follow its last address')
  return { contentId, addresses }
}

function parseContentIdOf (bytes: Uint8Array): CID {
  try {
    return parseContentId(bytes)
  } catch {
    throw new InvalidTicketError('the ticket is damaged: its content id is not a Shoal content id')
  }
}

function parseAddress (bytes: Uint8Array): Multiaddr {
  let address: Multiaddr
  try {
    address = multiaddr(bytes)
    address.toString() // a multiaddr decodes lazily in parts: make it say now if it is bad
  } catch {
    throw new InvalidTicketError('the ticket is damaged: an address in it is not a multiaddr')
  }
  if (peerOf(address) === undefined) throw new InvalidTicketError(`the ticket's address ${address.toString().slice(0, 200)} does not end in /p2p/<peer id>`)
  return address
}

function peerOf (address: Multiaddr): string | undefined {
  const last = address.getComponents().at(-1)
  return last?.name === 'p2p' ? last.value : undefined
}

function lengthPrefixed (bytes: Uint8Array): Uint8Array {
  return concat([varint.encode(bytes.byteLength), bytes])
}

function concat (parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

/** Reads length-prefixed fields, every length checked against what is left and a cap. */
class Reader {
  private at = 0
  constructor (private readonly bytes: Uint8Array) {}

  /** An unsigned varint of at most 3 bytes (2^21: past every cap), so it can neither wrap nor run long. */
  varint (): number {
    let value = 0
    for (let i = 0; i < 3; i++) {
      if (this.at >= this.bytes.byteLength) throw new InvalidTicketError('the ticket is damaged: it ends early (copied only in part?)')
      const byte = this.bytes[this.at++]
      value += (byte & 0x7f) * 2 ** (7 * i)
      if ((byte & 0x80) === 0) return value
    }
    throw new InvalidTicketError('the ticket is damaged: a length in it is too large')
  }

  chunk (max: number, what: string): Uint8Array {
    const length = this.varint()
    if (length > max) throw new InvalidTicketError(`the ticket's ${what} is ${length} bytes; at most ${max} are read`)
    if (this.at + length > this.bytes.byteLength) throw new InvalidTicketError('the ticket is damaged: it ends early (copied only in part?)')
    const out = this.bytes.subarray(this.at, this.at + length)
    this.at += length
    return out
  }

  done (): boolean {
    return this.at === this.bytes.byteLength
  }
}
