import { multiaddr } from '@multiformats/multiaddr'
import { isUnspecifiedIp, localScopeOf } from '../utils/local-ip.js'
import type { LocalScope } from '../utils/local-ip.js'
import type { ConnectionGater } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface LocalDialPolicyInit {
  /** The config's `listen`: a node listening on a loopback (or link-local) address dials such addresses too. */
  listen: readonly string[]
  /** The config's `dialLocalAddresses`: dial loopback and link-local addresses whoever named them (labs). */
  dialLocalAddresses: boolean
  /** Addresses the user gave (the config's `bootstrap`): dialled as given. */
  trusted: readonly string[]
}

/** The policy: whether a dial is refused, and the user's own addresses added at run time. */
export interface LocalDialFilter {
  (address: Multiaddr): boolean
  /** Dial this address's endpoint as given from now on: the user named it (`shoal connect`). */
  trust(address: Multiaddr | string): void
}

/**
 * Whether a dial to `address` is refused: a loopback or link-local address (this machine, or
 * its link: local services, a cloud metadata endpoint) that peers may have named through peer
 * exchange, the DHT or identify, unless the node itself listens on such a network, the config
 * allows them, or the user gave that very address. Other addresses, LAN ones included, pass.
 */
export function localDialFilter (init: LocalDialPolicyInit): LocalDialFilter {
  const allowed = new Set<LocalScope>(init.dialLocalAddresses ? ['loopback', 'link-local'] : [])
  for (const listen of init.listen) {
    // a wildcard (0.0.0.0, ::) listens everywhere yet asks for no local network in particular
    const ip = ipOf(multiaddr(listen))
    const scope = ip === undefined || isUnspecifiedIp(ip) ? undefined : localScopeOf(ip)
    if (scope !== undefined) allowed.add(scope)
  }
  const trusted = new Set(init.trusted.map(a => endpointOf(multiaddr(a))))
  const refused = (address: Multiaddr): boolean => {
    const scope = scopeOf(address)
    return scope !== undefined && !allowed.has(scope) && !trusted.has(endpointOf(address))
  }
  return Object.assign(refused, { trust: (address: Multiaddr | string) => { trusted.add(endpointOf(multiaddr(address))) } })
}

/** `gater` that also refuses the dials `localDialFilter` refuses (given, or made from `init`). */
export function withLocalDialFilter (gater: ConnectionGater, policy: LocalDialPolicyInit | LocalDialFilter): ConnectionGater {
  const refused = typeof policy === 'function' ? policy : localDialFilter(policy)
  return {
    ...gater,
    denyDialMultiaddr: async (address) => refused(address) || (await gater.denyDialMultiaddr?.(address)) === true
  }
}

function ipOf (address: Multiaddr): string | undefined {
  return address.getComponents().find(c => c.name === 'ip4' || c.name === 'ip6')?.value
}

function scopeOf (address: Multiaddr): LocalScope | undefined {
  const ip = ipOf(address)
  return ip === undefined ? undefined : localScopeOf(ip)
}

/** Host and port: the same endpoint whatever peer id or suffix follows. */
function endpointOf (address: Multiaddr): string {
  const [host, port] = address.getComponents()
  return `${host?.value ?? ''} ${port?.value ?? ''}`
}
