/**
 * The status projection of AutoNAT's verdicts (issue 16, item 2) and each peer's connection
 * kind (item 3): `reachability`, `confirmedAddresses`, `mappedAddresses`, `connection`.
 */
import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { connectionKindOf, reachabilityOf } from '../../../src/node/reachability.js'
import type { AddressInfo } from '../../../src/node/reachability.js'

const NOW = 1_000_000
const PEER = '12D3KooWGRUVh8QbFNJ4XvdcXGbBJ2hNbUiZ5eS5nSkVY2LLxr8R'
const RELAY = '12D3KooWCXWdFq9hYSFvcX3aGeotcJnuSwUGKFZfoVidJERadSWz'

function address (text: string, verified: boolean, expires = 0, type = 'transport'): AddressInfo {
  return { multiaddr: multiaddr(text), verified, expires, type }
}

describe('node/reachability', () => {
  it('is unknown with only loopback and LAN addresses (libp2p counts them verified; AutoNAT never tests them)', () => {
    const view = reachabilityOf([address('/ip4/127.0.0.1/tcp/4100', true, NOW + 1000), address('/ip4/192.168.1.5/tcp/4100', true, NOW + 1000)], NOW)
    assert.deepEqual(view, { reachability: 'unknown', confirmedAddresses: [], mappedAddresses: [] })
  })

  it('is unknown while a public address is untested', () => {
    assert.equal(reachabilityOf([address('/ip4/93.184.216.34/tcp/4100', false, 0, 'observed')], NOW).reachability, 'unknown')
  })

  it('is public once a public address is dialled back, and lists it', () => {
    const view = reachabilityOf([address('/ip4/192.168.1.5/tcp/4100', true), address('/ip4/93.184.216.34/tcp/4100', true, NOW + 1000)], NOW)
    assert.equal(view.reachability, 'public')
    assert.deepEqual(view.confirmedAddresses, ['/ip4/93.184.216.34/tcp/4100'])
  })

  it('is private when a public address was found undialable (unverified until a retry)', () => {
    assert.equal(reachabilityOf([address('/ip4/93.184.216.34/tcp/4100', false, NOW + 60_000)], NOW).reachability, 'private')
  })

  it('is private when the node advertises a relayed address and no public one works', () => {
    const relayed = address(`/ip4/198.51.100.1/tcp/4100/p2p/${RELAY}/p2p-circuit`, true, NOW + 1000)
    const view = reachabilityOf([address('/ip4/10.0.0.2/tcp/4100', true), relayed], NOW)
    assert.equal(view.reachability, 'private')
    assert.deepEqual(view.confirmedAddresses, [], 'a relayed address is not a confirmed address of ours')
  })

  it('lists the addresses the router mapped (UPnP: ip-mapping)', () => {
    const view = reachabilityOf([address('/ip4/93.184.216.34/tcp/4100', false, 0, 'ip-mapping')], NOW)
    assert.deepEqual(view.mappedAddresses, ['/ip4/93.184.216.34/tcp/4100'])
  })

  it('a peer is direct over any direct connection, relayed over circuit addresses or limited connections only', () => {
    const direct = { remoteAddr: multiaddr(`/ip4/198.51.100.9/tcp/4100/p2p/${PEER}`), limits: undefined }
    const circuit = { remoteAddr: multiaddr(`/ip4/198.51.100.1/tcp/4100/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`), limits: undefined }
    const limited = { remoteAddr: multiaddr(`/ip4/198.51.100.9/tcp/4100/p2p/${PEER}`), limits: { bytes: 1024n } }
    assert.equal(connectionKindOf([]), undefined)
    assert.equal(connectionKindOf([direct]), 'direct')
    assert.equal(connectionKindOf([circuit]), 'relayed')
    assert.equal(connectionKindOf([limited]), 'relayed')
    assert.equal(connectionKindOf([circuit, direct]), 'direct')
  })
})
