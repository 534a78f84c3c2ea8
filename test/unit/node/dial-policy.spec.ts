/**
 * Which addresses named by peers the node dials (issue 12, item 10): loopback and link-local
 * ones only when it listens on such a network, the config allows them, or the user gave them.
 */
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { localDialFilter, withLocalDialFilter } from '../../../src/node/dial-policy.js'
import type { LocalDialPolicyInit } from '../../../src/node/dial-policy.js'

const PEER = '12D3KooWGRUVh8QbFNJ4XvdcXGbBJ2hNbUiZ5eS5nSkVY2LLxr8R'
const LOOPBACK = ['/ip4/127.0.0.1/tcp/22', '/ip4/127.9.9.9/tcp/1', '/ip6/::1/tcp/22', '/ip4/0.0.0.0/tcp/22', '/ip6/::/tcp/22', '/ip6/::ffff:127.0.0.1/tcp/22']
const LINK_LOCAL = ['/ip4/169.254.169.254/tcp/80', '/ip6/fe80::1/tcp/4001']
const ELSEWHERE = ['/ip4/192.0.2.7/tcp/4001', '/ip4/10.1.2.3/tcp/4001', '/ip4/192.168.1.5/tcp/4001', '/ip6/2001:db8::1/tcp/4001', '/ip6/fd00::2/tcp/4001', '/dns4/example.com/tcp/4001']

function refused (init: Partial<LocalDialPolicyInit>, addresses: string[]): string[] {
  const deny = localDialFilter({ listen: ['/ip4/0.0.0.0/tcp/4001'], dialLocalAddresses: false, trusted: [], ...init })
  return addresses.filter(a => deny(multiaddr(`${a}/p2p/${PEER}`)))
}

describe('node/dial-policy', () => {
  it('a node on the wildcard address refuses loopback and link-local addresses, and nothing else', () => {
    assert.deepEqual(refused({}, [...LOOPBACK, ...LINK_LOCAL, ...ELSEWHERE]), [...LOOPBACK, ...LINK_LOCAL])
    assert.deepEqual(refused({ listen: ['/ip6/::/tcp/4001', '/ip4/192.0.2.2/tcp/4001'] }, [...LOOPBACK, ...LINK_LOCAL]), [...LOOPBACK, ...LINK_LOCAL])
  })

  it('a node listening on loopback dials loopback (every test swarm), and on link-local dials link-local', () => {
    assert.deepEqual(refused({ listen: ['/ip4/127.0.0.1/tcp/0'] }, [...LOOPBACK, ...LINK_LOCAL]), LINK_LOCAL)
    assert.deepEqual(refused({ listen: ['/ip6/::1/tcp/0'] }, LOOPBACK), [])
    assert.deepEqual(refused({ listen: ['/ip4/169.254.3.4/tcp/0'] }, [...LOOPBACK, ...LINK_LOCAL]), LOOPBACK)
  })

  it('dialLocalAddresses dials them all; a bootstrap address is dialled as given, and only that endpoint', () => {
    assert.deepEqual(refused({ dialLocalAddresses: true }, [...LOOPBACK, ...LINK_LOCAL]), [])
    const trusted = [`/ip4/127.0.0.1/tcp/4101/p2p/${PEER}`]
    assert.deepEqual(refused({ trusted }, ['/ip4/127.0.0.1/tcp/4101', '/ip4/127.0.0.1/tcp/22']), ['/ip4/127.0.0.1/tcp/22'])
  })

  it('an address the user names at run time (shoal connect) is dialled from then on, and only that endpoint', async () => {
    const filter = localDialFilter({ listen: ['/ip4/0.0.0.0/tcp/4100'], dialLocalAddresses: false, trusted: [] })
    const gater = withLocalDialFilter({}, filter)
    assert.equal(await gater.denyDialMultiaddr?.(multiaddr('/ip4/127.0.0.1/tcp/4101')), true)
    filter.trust(`/ip4/127.0.0.1/tcp/4101/p2p/${PEER}`)
    assert.equal(await gater.denyDialMultiaddr?.(multiaddr(`/ip4/127.0.0.1/tcp/4101/p2p/${PEER}`)), false)
    assert.equal(await gater.denyDialMultiaddr?.(multiaddr('/ip4/127.0.0.1/tcp/22')), true)
  })

  it('the gater keeps what the wrapped gater refuses, and adds the policy', async () => {
    const gater = withLocalDialFilter({ denyDialMultiaddr: (ma) => ma.toString().includes('192.0.2.66') }, { listen: ['/ip4/0.0.0.0/tcp/1'], dialLocalAddresses: false, trusted: [] })
    assert.equal(await gater.denyDialMultiaddr?.(multiaddr('/ip4/192.0.2.66/tcp/1')), true)
    assert.equal(await gater.denyDialMultiaddr?.(multiaddr('/ip4/127.0.0.1/tcp/1')), true)
    assert.equal(await gater.denyDialMultiaddr?.(multiaddr('/ip4/192.0.2.67/tcp/1')), false)
  })
})
