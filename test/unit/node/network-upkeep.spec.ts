import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { multiaddr } from '@multiformats/multiaddr'
import { addressGuardOf, announcerOf, bootstrapAddressesByPeer, keepBootstrapped, lanDialerOf } from '../../../src/node/network-upkeep.js'
import type { ShoalConfig } from '../../../src/config/schema.js'
import type { ShoalServices } from '../../../src/node/libp2p.js'
import type { Libp2p, MultiaddrConnection } from '@libp2p/interface'

const A = '12D3KooWLRPJAA5o6Z6Hsm3vzCMbYNqNhf3Nk7vWj2CKMpL3pjAX'
const B = '12D3KooWSE5pUvEVdRz6Z3dVwbXyZ1pUpqnjM7kWZ2x3yhJJnNQC'

describe('node/network-upkeep', () => {
  it('bootstrap addresses by the peer id each ends in', () => {
    const byPeer = bootstrapAddressesByPeer([`/ip4/10.0.0.1/tcp/1/p2p/${A}`, `/dns4/b.example/tcp/2/p2p/${B}`, `/ip4/10.0.0.3/tcp/3/p2p/${A}`])
    assert.deepEqual([...byPeer.keys()], [A, B])
    assert.equal(byPeer.get(A)?.toString(), `/ip4/10.0.0.3/tcp/3/p2p/${A}`, 'the last address of a peer named twice')
  })

  it('dials a bootstrap peer that is not connected at its configured address', async () => {
    const dialled: string[] = []
    const libp2p = {
      getConnections: () => [],
      dial: async (address: { toString: () => string }) => { dialled.push(address.toString()) }
    } as unknown as Libp2p
    const keeper = keepBootstrapped([`/ip4/10.0.0.1/tcp/1/p2p/${A}`], libp2p, defaultLogger().forComponent('test'))
    keeper.dialNow()
    try {
      const deadline = Date.now() + 10_000
      while (dialled.length === 0 && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 10))
    } finally {
      keeper.stop()
    }
    assert.equal(dialled[0], `/ip4/10.0.0.1/tcp/1/p2p/${A}`)
  })

  it('no DHT: no announcer; no mDNS: no LAN dialer', () => {
    const libp2p = { services: {} } as unknown as Libp2p<ShoalServices>
    assert.equal(announcerOf(libp2p, defaultLogger()), undefined)
    assert.equal(lanDialerOf(libp2p, () => false, defaultLogger()), undefined)
  })

  it("the address guard holds the config's connection limit per address", () => {
    const config = { limits: { maxConnectionsPerAddress: 1 } } as unknown as ShoalConfig
    const deny = addressGuardOf(config, defaultLogger()).gater().denyInboundConnection as (c: MultiaddrConnection) => boolean
    const from = (port: number): MultiaddrConnection => Object.assign(new EventTarget(), { remoteAddr: multiaddr(`/ip4/10.0.0.1/tcp/${port}`), status: 'open' }) as unknown as MultiaddrConnection
    assert.equal(deny(from(1)), false)
    assert.equal(deny(from(2)), true)
  })
})
