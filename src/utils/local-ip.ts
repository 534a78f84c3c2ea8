import { BlockList, isIP } from 'node:net'

/** Where an IP address leads when it does not lead out of this machine or its link. */
export type LocalScope = 'loopback' | 'link-local'

type Subnet = [network: string, prefix: number, family: 'ipv4' | 'ipv6']

/** No host in particular: "every interface" to listen on, this host to connect to. */
const UNSPECIFIED_NETS: Subnet[] = [['0.0.0.0', 8, 'ipv4'], ['::', 128, 'ipv6']]
const UNSPECIFIED = blockList(UNSPECIFIED_NETS)
/**
 * This machine: loopback, and the unspecified addresses (a connection to 0.0.0.0 or :: reaches
 * this host). IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) match the IPv4 rules.
 */
const LOOPBACK = blockList([['127.0.0.0', 8, 'ipv4'], ['::1', 128, 'ipv6'], ...UNSPECIFIED_NETS])
/** This link only: 169.254.0.0/16 (where cloud metadata services answer) and fe80::/10. */
const LINK_LOCAL = blockList([['169.254.0.0', 16, 'ipv4'], ['fe80::', 10, 'ipv6']])

/** 'loopback' or 'link-local' for such an IP address; undefined for any other address, or for what is not an IP address. */
export function localScopeOf (ip: string): LocalScope | undefined {
  const version = isIP(ip)
  if (version === 0) return undefined
  const family = version === 4 ? 'ipv4' : 'ipv6'
  if (LOOPBACK.check(ip, family)) return 'loopback'
  if (LINK_LOCAL.check(ip, family)) return 'link-local'
  return undefined
}

/** 0.0.0.0/8 or :: (see UNSPECIFIED_NETS). */
export function isUnspecifiedIp (ip: string): boolean {
  const version = isIP(ip)
  return version !== 0 && UNSPECIFIED.check(ip, version === 4 ? 'ipv4' : 'ipv6')
}

function blockList (subnets: Subnet[]): BlockList {
  const list = new BlockList()
  for (const [network, prefix, family] of subnets) list.addSubnet(network, prefix, family)
  return list
}
