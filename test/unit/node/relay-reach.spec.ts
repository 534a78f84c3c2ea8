import assert from 'node:assert/strict'
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import { RelayReach } from '../../../src/node/relay.js'
import type { RelayReachComponents } from '../../../src/node/relay.js'
import type { Connection, IdentifyResult, Libp2pEvents } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const RELAY = '12D3KooWKnDdG3iXw9eTFijk3EWSunZcFi54Zka4wmtqtt6rPxc8'
const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

function fakeConnection (address: string): Connection & { closed: boolean } {
  const c = { remoteAddr: multiaddr(address), status: 'open', closed: false, close: async () => { c.closed = true } }
  return c as unknown as Connection & { closed: boolean }
}

interface Fixture {
  reach: RelayReach
  events: TypedEventEmitter<Libp2pEvents>
  listened: string[]
  dialled: Array<{ addresses: string[], force?: boolean }>
}

function fixture (options: { server?: boolean, addresses?: Array<{ multiaddr: Multiaddr, verified: boolean }>, listen?: () => Promise<void>, dial?: () => Promise<Connection> } = {}): Fixture {
  const events = new TypedEventEmitter<Libp2pEvents>()
  const listened: string[] = []
  const dialled: Fixture['dialled'] = []
  const components = {
    events,
    logger: defaultLogger(),
    transportManager: { listen: async (addrs: Multiaddr[]) => { listened.push(...addrs.map(String)); await options.listen?.() } },
    addressManager: { getAddressesWithMetadata: () => options.addresses ?? [] },
    connectionManager: {
      getConnections: () => [],
      openConnection: async (addrs: Multiaddr[], opts: { force?: boolean }) => {
        dialled.push({ addresses: addrs.map(String), force: opts.force })
        return await (options.dial?.() ?? Promise.reject(new Error('unreachable')))
      }
    }
  } as unknown as RelayReachComponents
  const reach = new RelayReach(components, { server: options.server ?? false })
  reach.start()
  return { reach, events, listened, dialled }
}

function identify (f: Fixture, result: Partial<IdentifyResult> & { connection: Connection, peer: string }): void {
  f.events.safeDispatchEvent('peer:identify', { detail: { peerId: peerIdFromString(result.peer), protocols: [], listenAddrs: [], ...result } as unknown as IdentifyResult })
}

const settle = async (ms = 20): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('node/relay: RelayReach', () => {
  it('reserves a slot on a directly connected peer that offers relaying, once', async () => {
    const f = fixture()
    const connection = fakeConnection('/ip4/10.0.0.1/tcp/4100')
    identify(f, { peer: RELAY, connection, protocols: [RELAY_V2_HOP_CODEC] })
    identify(f, { peer: RELAY, connection, protocols: [RELAY_V2_HOP_CODEC] })
    await settle()
    assert.deepEqual(f.listened, [`/ip4/10.0.0.1/tcp/4100/p2p/${RELAY}/p2p-circuit`])
    f.reach.stop()
  })

  it('reserves on no relay when it is a relay itself, when it has a confirmed public address, or when the peer offers no relaying', async () => {
    const connection = fakeConnection('/ip4/10.0.0.1/tcp/4100')
    const server = fixture({ server: true })
    identify(server, { peer: RELAY, connection, protocols: [RELAY_V2_HOP_CODEC] })
    const isPublic = fixture({ addresses: [{ multiaddr: multiaddr('/ip4/8.8.8.8/tcp/4100'), verified: true }] })
    identify(isPublic, { peer: RELAY, connection, protocols: [RELAY_V2_HOP_CODEC] })
    const plain = fixture()
    identify(plain, { peer: RELAY, connection, protocols: ['/shoal/piece-exchange/2.0.0'] })
    await settle()
    assert.deepEqual([...server.listened, ...isPublic.listened, ...plain.listened], [])
    for (const f of [server, isPublic, plain]) f.reach.stop()
  })

  it('tries the reservation again when it fails', async () => {
    let failures = 1
    const f = fixture({ listen: async () => { if (failures-- > 0) throw new Error('HadEnoughRelaysError') } })
    identify(f, { peer: RELAY, connection: fakeConnection('/ip4/10.0.0.1/tcp/4100'), protocols: [RELAY_V2_HOP_CODEC] })
    await settle(1500)
    assert.equal(f.listened.length, 2)
    f.reach.stop()
  })

  it('dials back a peer met through a relay at its own addresses, and closes the relayed connection once direct', async () => {
    const f = fixture({ dial: async () => fakeConnection(`/ip4/10.0.0.2/tcp/4100/p2p/${PEER}`) })
    const relayed = fakeConnection(`/ip4/10.0.0.1/tcp/4100/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`)
    const listenAddrs = [multiaddr('/ip4/10.0.0.2/tcp/4100'), multiaddr(`/ip4/10.0.0.1/tcp/4100/p2p/${RELAY}/p2p-circuit`)]
    identify(f, { peer: PEER, connection: relayed, listenAddrs })
    await settle()
    assert.deepEqual(f.dialled, [{ addresses: [`/ip4/10.0.0.2/tcp/4100/p2p/${PEER}`], force: true }])
    assert.equal(relayed.closed, true)
    f.reach.stop()
  })

  it('keeps the relayed connection when the dial back fails', async () => {
    const f = fixture()
    const relayed = fakeConnection(`/ip4/10.0.0.1/tcp/4100/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`)
    identify(f, { peer: PEER, connection: relayed, listenAddrs: [multiaddr('/ip4/192.168.1.2/tcp/4100')] })
    await settle()
    assert.equal(f.dialled.length, 1)
    assert.equal(relayed.closed, false)
    f.reach.stop()
  })
})
