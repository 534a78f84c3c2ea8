import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { nodeStatus } from '../../../src/node/node-status.js'
import type { ShoalServices } from '../../../src/node/libp2p.js'
import type { NodeFacts } from '../../../src/node/node-status.js'
import type { SwarmStatus } from '../../../src/swarm/types.js'
import type { Libp2p, PeerId } from '@libp2p/interface'

const PUBLIC = multiaddr('/ip4/8.8.8.8/tcp/4001')
const MAPPED = multiaddr('/ip4/9.9.9.9/tcp/4001')

/** Just the parts of libp2p a status reads. */
function fakeLibp2p (self: PeerId, links: Map<string, Array<{ remoteAddr: ReturnType<typeof multiaddr>, direction: string, limits?: object }>>, dht?: object): Libp2p<ShoalServices> {
  return {
    peerId: self,
    getMultiaddrs: () => [multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${self.toString()}`)],
    getConnections: (peer?: PeerId) => peer === undefined ? [...links.values()].flat() : links.get(peer.toString()) ?? [],
    services: {
      dht,
      addresses: {
        list: () => [
          { multiaddr: PUBLIC, verified: true, type: 'transport', expires: 0 },
          { multiaddr: MAPPED, verified: false, type: 'ip-mapping', expires: 0 }
        ]
      }
    }
  } as unknown as Libp2p<ShoalServices>
}

function facts (swarms: SwarmStatus[], more: Partial<NodeFacts> = {}): NodeFacts {
  return { swarms, bans: [], protocols: [], upnp: false, ...more }
}

describe('node/node-status', () => {
  let self: PeerId
  let direct: PeerId
  let relayed: PeerId
  before(async () => {
    [self, direct, relayed] = await Promise.all([1, 2, 3].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519'))))
  })

  function links (): Map<string, Array<{ remoteAddr: ReturnType<typeof multiaddr>, direction: string, limits?: object }>> {
    return new Map([
      [direct.toString(), [{ remoteAddr: multiaddr('/ip4/10.0.0.2/tcp/1'), direction: 'outbound' }]],
      [relayed.toString(), [{ remoteAddr: multiaddr(`/ip4/10.0.0.3/tcp/1/p2p/${direct.toString()}/p2p-circuit`), direction: 'inbound', limits: {} }]]
    ])
  }

  it('has the fields of `status --json`, in their order, and leaves out those that do not apply', () => {
    const status = nodeStatus(fakeLibp2p(self, links()), facts([]))
    assert.deepEqual(Object.keys(status), ['peerId', 'addresses', 'connections', 'dhtRoutingTableSize', 'reachability', 'confirmedAddresses', 'swarms', 'bans', 'protocols'])
    assert.equal(status.peerId, self.toString())
    assert.equal(status.connections, 2)
    assert.equal(status.dhtRoutingTableSize, 0, 'no DHT: 0')
    assert.equal(status.reachability, 'public')
    assert.deepEqual(status.confirmedAddresses, [PUBLIC.toString()])
  })

  it('a private swarm shows its key, UPnP its mapped addresses, a running node its gateway, a DHT its table', () => {
    const status = nodeStatus(fakeLibp2p(self, links(), { routingTable: { size: 7 } }), facts([], { swarmKeyFingerprint: 'abcd', upnp: true, gatewayUrl: 'http://127.0.0.1:1' }))
    assert.deepEqual(Object.keys(status), ['peerId', 'addresses', 'swarmKey', 'connections', 'dhtRoutingTableSize', 'reachability', 'confirmedAddresses', 'mappedAddresses', 'swarms', 'bans', 'protocols', 'gatewayUrl'])
    assert.equal(status.swarmKey, 'abcd')
    assert.deepEqual(status.mappedAddresses, [MAPPED.toString()])
    assert.equal(status.gatewayUrl, 'http://127.0.0.1:1')
    assert.equal(status.dhtRoutingTableSize, 7)
  })

  it("each listed peer gets its link's kind; with `peers`, its direction and address too", () => {
    const swarms = (): SwarmStatus[] => [{ peerDetails: [{ peerId: direct.toString() }, { peerId: relayed.toString() }] }] as unknown as SwarmStatus[]
    const plain = nodeStatus(fakeLibp2p(self, links()), facts(swarms())).swarms[0].peerDetails ?? []
    assert.deepEqual(plain.map(p => p.connection), ['direct', 'relayed'])
    assert.equal(plain[0].direction, undefined, 'no link details without `peers`')
    const detailed = nodeStatus(fakeLibp2p(self, links()), facts(swarms()), { peers: true }).swarms[0].peerDetails ?? []
    assert.equal(detailed[0].direction, 'outbound')
    assert.equal(detailed[0].remoteAddress, '/ip4/10.0.0.2/tcp/1')
  })
})
