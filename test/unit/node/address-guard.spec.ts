import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { AddressGuard, addressKey } from '../../../src/node/address-guard.js'
import type { MultiaddrConnection } from '@libp2p/interface'

/** Enough of a MultiaddrConnection for the gater: its remote address, its status, a close event. */
function connection (address: string): MultiaddrConnection & { end(): void } {
  const target = new EventTarget() as EventTarget & { remoteAddr: unknown, status: string, end(): void }
  target.remoteAddr = multiaddr(address)
  target.status = 'open'
  target.end = () => {
    target.status = 'closed'
    target.dispatchEvent(new Event('close'))
  }
  return target as unknown as MultiaddrConnection & { end(): void }
}

describe('node/address-guard', () => {
  let now = 0
  const guard = (): AddressGuard => new AddressGuard({ maxConnectionsPerAddress: 3, bansPerAddress: 2, banWindowMs: 1000, refusalMs: 5000, maxTrackedAddresses: 2, now: () => now })
  beforeEach(() => { now = 1_000_000 })

  it('admits maxConnectionsPerAddress inbound connections per address, and one more once one closes', () => {
    const deny = guard().gater().denyInboundConnection as (c: MultiaddrConnection) => boolean
    const held = [1, 2, 3].map(port => connection(`/ip4/10.0.0.1/tcp/${port}`))
    assert.deepEqual(held.map(deny), [false, false, false])
    assert.equal(deny(connection('/ip4/10.0.0.1/tcp/4')), true)
    assert.equal(deny(connection('/ip4/10.0.0.2/tcp/4')), false, 'another address has its own count')
    held[0].end()
    assert.equal(deny(connection('/ip4/10.0.0.1/tcp/5')), false)
  })

  it('a connection that closed without its event does not hold its slot', () => {
    const deny = guard().gater().denyInboundConnection as (c: MultiaddrConnection) => boolean
    const held = [1, 2, 3].map(port => connection(`/ip4/10.0.0.1/tcp/${port}`))
    held.forEach(deny)
    ;(held[1] as { status: string }).status = 'reset'
    assert.equal(deny(connection('/ip4/10.0.0.1/tcp/4')), false)
  })

  it('an address whose peers earn bansPerAddress bans within the window is refused for refusalMs, inbound and for dials', () => {
    const g = guard()
    const { denyInboundConnection, denyDialMultiaddr } = g.gater() as Required<ReturnType<AddressGuard['gater']>>
    const address = multiaddr('/ip4/10.0.0.1/tcp/1')
    g.recordBan([address, multiaddr('/ip4/10.0.0.1/tcp/2')]) // one peer, two connections: one ban
    assert.equal(g.isRefused(address), false)
    now += 2000 // out of the window: the first ban no longer counts
    g.recordBan([address])
    assert.equal(g.isRefused(address), false)
    now += 500
    g.recordBan([address])
    assert.equal(g.isRefused(address), true)
    assert.equal(denyInboundConnection(connection('/ip4/10.0.0.1/tcp/9')), true)
    assert.equal(denyDialMultiaddr(multiaddr('/ip4/10.0.0.1/tcp/4001')), true)
    assert.equal(denyDialMultiaddr(multiaddr('/ip4/10.0.0.2/tcp/4001')), false)
    now += 5000
    assert.equal(g.isRefused(address), false)
  })

  it('remembers bans for at most maxTrackedAddresses addresses', () => {
    const g = guard()
    for (const host of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) g.recordBan([multiaddr(`/ip4/${host}/tcp/1`)])
    // 10.0.0.1 was forgotten: its second ban is its first again
    g.recordBan([multiaddr('/ip4/10.0.0.1/tcp/1')])
    assert.equal(g.isRefused(multiaddr('/ip4/10.0.0.1/tcp/1')), false)
    g.recordBan([multiaddr('/ip4/10.0.0.3/tcp/1')])
    assert.equal(g.isRefused(multiaddr('/ip4/10.0.0.3/tcp/1')), true)
  })

  it('counts IPv6 addresses by /64, IPv4-mapped ones as IPv4, and no other transport', () => {
    assert.equal(addressKey(multiaddr('/ip6/2001:db8:0:1::5/tcp/1')), '2001:db8:0:1::/64')
    assert.equal(addressKey(multiaddr('/ip6/2001:db8:0:1:ffff:1:2:3/tcp/1')), '2001:db8:0:1::/64')
    assert.equal(addressKey(multiaddr('/ip6/::1/tcp/1')), '0:0:0:0::/64')
    assert.equal(addressKey(multiaddr('/ip6/::ffff:10.0.0.1/tcp/1')), '10.0.0.1')
    assert.equal(addressKey(multiaddr('/ip4/127.0.0.2/tcp/1')), '127.0.0.2')
    assert.equal(addressKey(multiaddr('/dns4/example.com/tcp/1')), undefined)
  })

  it('does not count or ban a relay\'s address for the peers behind it', () => {
    const relayed = multiaddr('/ip4/10.0.0.1/tcp/4100/p2p/12D3KooWKnDdG3iXw9eTFijk3EWSunZcFi54Zka4wmtqtt6rPxc8/p2p-circuit')
    assert.equal(addressKey(relayed), undefined)
    const g = guard()
    for (let i = 0; i < 5; i++) g.recordBan([relayed])
    assert.equal(g.isRefused(multiaddr('/ip4/10.0.0.1/tcp/4100')), false)
  })
})
