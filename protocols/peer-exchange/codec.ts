import { InvalidMessageError } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { MAX_ADDR_SIZE, MAX_ADDRS_PER_PEER, MAX_PEERS } from './constants.js'
import { PexMessage } from './pb/peer-exchange.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Uint8ArrayList } from 'uint8arraylist'

/** A peer as a message carries it: its id and its addresses (without the /p2p/ part). */
export interface PexPeerInfo {
  peerId: string
  addrs: Multiaddr[]
}

export interface DecodedPex {
  contentId: string
  peers: PexPeerInfo[]
}

/** Encode a message; each peer's addresses get its /p2p/ part, and the caps are applied here too. */
export function encodePex (contentId: string, peers: PexPeerInfo[]): Uint8Array {
  return PexMessage.encode({
    contentId,
    peers: peers.slice(0, MAX_PEERS).map(p => ({
      addrs: p.addrs.slice(0, MAX_ADDRS_PER_PEER).map(a => withPeerId(a, p.peerId).bytes)
    }))
  })
}

/**
 * Decode and check a message: too many peers or addresses, an address that does not parse,
 * lacks /p2p/, or names another peer than its neighbours, and the whole message is refused
 * (an InvalidMessageError): a well-behaved sender never sends one.
 */
export function decodePex (bytes: Uint8Array | Uint8ArrayList): DecodedPex {
  let message: PexMessage
  try {
    message = PexMessage.decode(bytes, { limits: { peers: MAX_PEERS, peers$: { addrs: MAX_ADDRS_PER_PEER } } })
  } catch (err) {
    throw new InvalidMessageError(`undecodable peer-exchange message: ${(err as Error).message}`)
  }
  if (message.contentId.length === 0 || message.contentId.length > 128) throw new InvalidMessageError('bad content id')
  return { contentId: message.contentId, peers: message.peers.map(p => checkPeer(p.addrs)) }
}

function checkPeer (addrs: Uint8Array[]): PexPeerInfo {
  if (addrs.length === 0) throw new InvalidMessageError('a peer without addresses')
  let peerId: string | undefined
  const plain: Multiaddr[] = []
  for (const bytes of addrs) {
    if (bytes.byteLength > MAX_ADDR_SIZE) throw new InvalidMessageError('an address over the size limit')
    const { id, addr } = splitPeerId(bytes)
    if (peerId !== undefined && id !== peerId) throw new InvalidMessageError('addresses of one peer name different peers')
    peerId = id
    plain.push(addr)
  }
  return { peerId: peerId as string, addrs: plain }
}

/** A binary multiaddr ending in /p2p/<valid peer id>, as that id and the address before it. */
function splitPeerId (bytes: Uint8Array): { id: string, addr: Multiaddr } {
  let ma: Multiaddr
  try {
    ma = multiaddr(bytes)
  } catch {
    throw new InvalidMessageError('an address that is not a multiaddr')
  }
  const components = ma.getComponents()
  const last = components.at(-1)
  if (last?.name !== 'p2p' || last.value === undefined || components.length < 2) throw new InvalidMessageError('an address without a /p2p/ peer id at its end')
  try {
    peerIdFromString(last.value)
  } catch {
    throw new InvalidMessageError('an address with a malformed peer id')
  }
  return { id: last.value, addr: multiaddr(components.slice(0, -1)) }
}

function withPeerId (addr: Multiaddr, peerId: string): Multiaddr {
  const last = addr.getComponents().at(-1)
  return last?.name === 'p2p' ? addr : addr.encapsulate(`/p2p/${peerId}`)
}
