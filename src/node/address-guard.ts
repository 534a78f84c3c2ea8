import { tryGetNetConfig } from '@libp2p/utils'
import type { ConnectionGater, Logger, MultiaddrConnection } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface AddressGuardInit {
  /** Inbound connections open, or in their handshake, from one address. */
  maxConnectionsPerAddress: number
  /** Bans of peers at one address within `banWindowMs` that get the address refused for `refusalMs`. */
  bansPerAddress: number
  banWindowMs: number
  refusalMs: number
  /** Addresses whose bans are remembered at once; past it the one seen longest ago is forgotten. */
  maxTrackedAddresses: number
  log?: Logger
  now?: () => number
}

/**
 * Limits by remote address, where limits by peer id fail: a peer id costs nothing, an address
 * does. Enforced by the libp2p connection gater before any cryptography: an address may hold
 * `maxConnectionsPerAddress` inbound connections, and an address whose peers keep getting
 * banned is refused (inbound and for dials) for a while. IPv6 addresses count by /64, the
 * block one host is given.
 */
export class AddressGuard {
  private readonly inbound = new Map<string, Set<MultiaddrConnection>>()
  /** Recent ban times per address, oldest address first. */
  private readonly bans = new Map<string, number[]>()
  private readonly refusedUntil = new Map<string, number>()
  private readonly now: () => number

  constructor (private readonly init: AddressGuardInit) {
    this.now = init.now ?? Date.now
  }

  /** A peer was banned, connected from `addresses`: enough bans at one address in the window, and it is refused. */
  recordBan (addresses: Iterable<Multiaddr>): void {
    const keys = new Set([...addresses].map(addressKey))
    for (const key of keys) if (key !== undefined) this.countBan(key)
  }

  private countBan (key: string): void {
    const now = this.now()
    const recent = (this.bans.get(key) ?? []).filter(t => t > now - this.init.banWindowMs)
    recent.push(now)
    this.bans.delete(key)
    this.bans.set(key, recent)
    if (this.bans.size > this.init.maxTrackedAddresses) this.bans.delete(this.bans.keys().next().value as string)
    if (recent.length < this.init.bansPerAddress) return
    this.refusedUntil.set(key, now + this.init.refusalMs)
    this.bans.delete(key)
    this.init.log?.error('refusing %s for %d s: %d of its peers banned in %d s', key, this.init.refusalMs / 1000, recent.length, this.init.banWindowMs / 1000)
  }

  isRefused (address: Multiaddr): boolean {
    const key = addressKey(address)
    return key !== undefined && this.refused(key)
  }

  /** Inbound connections held from the address of `address` (open or in their handshake). */
  connectionsFrom (address: Multiaddr): number {
    const key = addressKey(address)
    return key === undefined ? 0 : this.held(key)
  }

  gater (): Pick<ConnectionGater, 'denyInboundConnection' | 'denyDialMultiaddr'> {
    return {
      denyInboundConnection: (maConn) => !this.admit(maConn),
      denyDialMultiaddr: (address) => this.isRefused(address)
    }
  }

  /** Admit an inbound connection, and count it against its address until it closes. */
  private admit (maConn: MultiaddrConnection): boolean {
    const key = addressKey(maConn.remoteAddr)
    if (key === undefined) return true
    if (this.refused(key)) return false
    if (this.held(key) >= this.init.maxConnectionsPerAddress) {
      this.init.log?.('connection from %s refused: %d connections from it already', key, this.held(key))
      return false
    }
    const held = this.inbound.get(key) ?? new Set()
    held.add(maConn)
    this.inbound.set(key, held)
    maConn.addEventListener('close', () => { this.release(key, maConn) }, { once: true })
    return true
  }

  private held (key: string): number {
    const held = this.inbound.get(key)
    if (held === undefined) return 0
    // a close event missed (or not yet dispatched) must not hold a slot for ever
    for (const maConn of held) if (maConn.status !== 'open' && maConn.status !== 'closing') this.release(key, maConn)
    return held.size
  }

  private release (key: string, maConn: MultiaddrConnection): void {
    const held = this.inbound.get(key)
    held?.delete(maConn)
    if (held?.size === 0) this.inbound.delete(key)
  }

  private refused (key: string): boolean {
    const until = this.refusedUntil.get(key)
    if (until === undefined) return false
    if (until > this.now()) return true
    this.refusedUntil.delete(key)
    return false
  }
}

/**
 * What a limit by address counts under: the IPv4 address, or the /64 of an IPv6 one; none for
 * other transports, nor for a relayed connection (its address is the relay's, shared by every
 * peer behind it: counting, or banning, it would refuse them all).
 */
export function addressKey (address: Multiaddr): string | undefined {
  if (address.getComponents().some(c => c.name === 'p2p-circuit')) return undefined
  const config = tryGetNetConfig(address)
  if (config === null) return undefined
  if (config.type === 'ip4') return config.host
  if (config.type !== 'ip6') return undefined
  const groups = expandIpv6(config.host)
  // an IPv4-mapped address (::ffff:a.b.c.d) is that IPv4 host
  if (groups.slice(0, 5).every(g => g === '0') && groups[5] === 'ffff') {
    const [high, low] = [parseInt(groups[6], 16), parseInt(groups[7], 16)]
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')
  }
  return `${groups.slice(0, 4).join(':')}::/64`
}

/** The eight groups of an IPv6 address, as lower-case hex without leading zeros (a dotted IPv4 tail becomes two). */
function expandIpv6 (host: string): string[] {
  const [head, tail] = host.toLowerCase().split('%')[0].split('::') as [string, string | undefined]
  const groups = (part: string | undefined): string[] => part === undefined || part === '' ? [] : part.split(':').flatMap(dottedToGroups)
  const left = groups(head)
  const right = groups(tail)
  const middle = tail === undefined ? [] : Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0')
  return [...left, ...middle, ...right].map(g => (parseInt(g, 16) || 0).toString(16))
}

/** 'a.b.c.d' -> its two IPv6 groups; any other group as it is. */
function dottedToGroups (group: string): string[] {
  const bytes = group.split('.').map(Number)
  if (bytes.length !== 4) return [group]
  return [((bytes[0] << 8) | bytes[1]).toString(16), ((bytes[2] << 8) | bytes[3]).toString(16)]
}
