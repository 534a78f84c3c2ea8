import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { InvalidAddressError } from '../errors.js'
import type { Multiaddr } from '@multiformats/multiaddr'

const EXAMPLE = '/ip4/192.0.2.1/tcp/4100/p2p/12D3KooW...'

/**
 * A peer's address as a user gives it (`connect`, `start --bootstrap`): a multiaddr ending
 * in /p2p/<peer id>, so the dial proves it reached that very peer. InvalidAddressError otherwise.
 */
export function parsePeerAddress (text: string): { address: Multiaddr, peerId: string } {
  const shown = text.length > 200 ? `${text.slice(0, 200)}...` : text
  let address: Multiaddr
  try {
    address = multiaddr(text)
  } catch {
    throw new InvalidAddressError(`"${shown}" is not a multiaddr (a peer address looks like ${EXAMPLE})`)
  }
  const last = address.getComponents().at(-1)
  if (last?.name !== 'p2p' || last.value === undefined) {
    throw new InvalidAddressError(`"${shown}" does not end in /p2p/<peer id> (a peer address looks like ${EXAMPLE}; "shoal status" on that node prints its addresses)`)
  }
  try {
    peerIdFromString(last.value)
  } catch {
    throw new InvalidAddressError(`"${shown}" ends in /p2p/ with "${last.value.slice(0, 80)}", which is not a peer id`)
  }
  return { address, peerId: last.value }
}
