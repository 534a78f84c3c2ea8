import { isPrivate } from '@libp2p/utils'
import type { Connection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Whether others can dial this node: `public` (an address confirmed), `private`, or not known yet. */
export type Reachability = 'public' | 'private' | 'unknown'

/** How we are connected to a peer: straight, or through a circuit relay. */
export type ConnectionKind = 'direct' | 'relayed'

/** One of our addresses as libp2p's address manager describes it. */
export interface AddressInfo {
  multiaddr: Multiaddr
  verified: boolean
  type: string
  /** ms since the epoch: until then the verdict (verified or not) stands. */
  expires: number
}

export interface ReachabilityView {
  reachability: Reachability
  /** Public addresses that AutoNAT had dialled back (or a mapping the router confirmed). */
  confirmedAddresses: string[]
  /** Addresses the router mapped for us by UPnP. */
  mappedAddresses: string[]
}

const isRelayed = (address: Multiaddr): boolean => address.getComponents().some(c => c.name === 'p2p-circuit')

/** An address others on the internet could dial: not private, loopback, link-local, nor through a relay. */
function isPublicCandidate (address: Multiaddr): boolean {
  if (isRelayed(address)) return false
  try {
    return isPrivate(address) !== true
  } catch {
    return false
  }
}

/**
 * What AutoNAT found, from the address manager's verdicts. `public`: a public address was
 * dialled back. `private`: a public address was tried and found undialable (libp2p marks it
 * unverified until a retry), or the node advertises a relayed address and no public one
 * works. `unknown`: nothing tested yet; a node with only LAN or loopback addresses stays
 * here, for AutoNAT tests public addresses only.
 */
export function reachabilityOf (addresses: readonly AddressInfo[], now: number): ReachabilityView {
  const candidates = addresses.filter(a => isPublicCandidate(a.multiaddr))
  const confirmed = candidates.filter(a => a.verified)
  const refuted = candidates.some(a => !a.verified && a.expires > now)
  const relayed = addresses.some(a => isRelayed(a.multiaddr))
  const reachability: Reachability = confirmed.length > 0 ? 'public' : refuted || relayed ? 'private' : 'unknown'
  return {
    reachability,
    confirmedAddresses: unique(confirmed.map(a => a.multiaddr.toString())),
    mappedAddresses: unique(addresses.filter(a => a.type === 'ip-mapping').map(a => a.multiaddr.toString()))
  }
}

/**
 * How we reach a peer over its open connections: `direct` when any of them is, else
 * `relayed` (a /p2p-circuit address, or a connection with a relay's limits); undefined with none.
 */
export function connectionKindOf (connections: ReadonlyArray<Pick<Connection, 'remoteAddr' | 'limits'>>): ConnectionKind | undefined {
  if (connections.length === 0) return undefined
  return connections.some(c => c.limits === undefined && !isRelayed(c.remoteAddr)) ? 'direct' : 'relayed'
}

function unique (values: string[]): string[] {
  return [...new Set(values)]
}
