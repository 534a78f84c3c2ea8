import { KEEP_ALIVE } from '@libp2p/interface'
import type { KadDHTComponents } from '@libp2p/kad-dht'

type PeerStore = KadDHTComponents['peerStore']
type PeerData = Parameters<PeerStore['merge']>[1]

/**
 * The peer store kad-dht is given, on which its tags never keep a peer alive. kad-dht tags
 * its 20 closest peers KEEP_ALIVE, and libp2p redials such a peer whenever its connection
 * closes: a node near `limits.maxConnections` that hangs up on idle connections to let
 * newcomers in (node/connection-room) was dialed straight back, and dialed them back itself,
 * until the DHT's peers held every connection (a seeder at 12 refused a new swarm's peer for
 * a minute). The DHT dials whom a query needs; its close peers keep their `kad-close` tag,
 * which libp2p's pruning spares.
 */
export function withoutKeepAlive (peerStore: PeerStore): PeerStore {
  const merge: PeerStore['merge'] = async (peerId, data, options) => await peerStore.merge(peerId, dropKeepAlive(data), options)
  const patch: PeerStore['patch'] = async (peerId, data, options) => await peerStore.patch(peerId, dropKeepAlive(data), options)
  return new Proxy(peerStore, {
    get: (target, property) => {
      if (property === 'merge') return merge
      if (property === 'patch') return patch
      const value: unknown = Reflect.get(target, property)
      // the store's methods use its private fields: called on it, never on the proxy
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

function dropKeepAlive (data: PeerData): PeerData {
  if (data.tags === undefined) return data
  const tags = Object.fromEntries(Object.entries(data.tags).filter(([name]) => !name.startsWith(KEEP_ALIVE)))
  return { ...data, tags }
}
