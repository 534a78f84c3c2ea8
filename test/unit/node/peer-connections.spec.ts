import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { addConnectionDetails, dhtRoutingTableSize } from '../../../src/node/peer-connections.js'
import type { SwarmStatus } from '../../../src/swarm/types.js'
import type { Libp2p } from '@libp2p/interface'

describe('node/peer-connections', () => {
  it('each peer gets its connection\'s direction and remote address (without /p2p/); unknown peers are left alone', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const address = multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${peer.toString()}`)
    const libp2p = { getConnections: (id: { toString: () => string }) => id.toString() === peer.toString() ? [{ direction: 'inbound', remoteAddr: address }] : [] } as unknown as Libp2p
    const swarms = [{ peerDetails: [{ peerId: peer.toString() }, { peerId: 'not a peer id' }] }] as unknown as SwarmStatus[]
    addConnectionDetails(swarms, libp2p)
    assert.deepEqual(swarms[0].peerDetails, [{ peerId: peer.toString(), direction: 'inbound', remoteAddress: '/ip4/127.0.0.1/tcp/4001' }, { peerId: 'not a peer id' }])
  })

  it('the DHT routing table\'s size, 0 without a DHT', () => {
    assert.equal(dhtRoutingTableSize({ services: { dht: { routingTable: { size: 7 } } } } as any), 7)
    assert.equal(dhtRoutingTableSize({ services: {} } as any), 0)
  })
})
