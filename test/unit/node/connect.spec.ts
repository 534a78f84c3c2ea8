/** Connecting by hand (issue 13, item 6): the address a user types, and a failed dial in the user's terms. */
import assert from 'node:assert/strict'
import { dialFailure } from '../../../src/node/connect.js'
import { parsePeerAddress } from '../../../src/node/peer-address.js'
import { isNamedError } from '../fixtures.js'

const PEER = '12D3KooWGRUVh8QbFNJ4XvdcXGbBJ2hNbUiZ5eS5nSkVY2LLxr8R'

describe('node/peer-address and node/connect', () => {
  it('a multiaddr ending in /p2p/<peer id> is a peer address', () => {
    const { address, peerId } = parsePeerAddress(`/ip4/192.0.2.1/tcp/4100/p2p/${PEER}`)
    assert.equal(peerId, PEER)
    assert.equal(address.toString(), `/ip4/192.0.2.1/tcp/4100/p2p/${PEER}`)
  })

  it('anything else is an InvalidAddressError naming it', () => {
    assert.throws(() => parsePeerAddress('192.0.2.1:4100'), isNamedError('InvalidAddressError', /"192\.0\.2\.1:4100" is not a multiaddr/))
    assert.throws(() => parsePeerAddress('/ip4/192.0.2.1/tcp/4100'), isNamedError('InvalidAddressError', /does not end in \/p2p\/<peer id>/))
    assert.throws(() => parsePeerAddress(`/p2p/${PEER}/ip4/192.0.2.1/tcp/1`), isNamedError('InvalidAddressError', /does not end in \/p2p\//))
    assert.throws(() => parsePeerAddress('/ip4/192.0.2.1/tcp/4100/p2p/notapeer'), isNamedError('InvalidAddressError', /not a peer id|not a multiaddr/))
    assert.throws(() => parsePeerAddress(`/${'x'.repeat(5000)}`), (err: Error) => err.message.length < 500)
  })

  it('a failed dial says why: another peer, refused, a private swarm, no answer', () => {
    const cause = (message: string, name = 'Error'): Error => Object.assign(new Error('dial failed', { cause: Object.assign(new Error(message), { name }) }))
    assert.match(dialFailure(cause('Payload identity key 12D3… does not match expected remote identity key', 'UnexpectedPeerError'), PEER, false, false), new RegExp(`not ${PEER}`))
    assert.match(dialFailure(new AggregateError([new Error('connect ECONNREFUSED 127.0.0.1:1')], 'All multiaddr dials failed'), PEER, false, false), /connection refused/)
    assert.match(dialFailure(cause('stream ended before 24 bytes became available'), PEER, false, true), /not in this private swarm/)
    assert.match(dialFailure(cause('stream ended before the handshake'), PEER, false, false), /may be in a private swarm/)
    assert.match(dialFailure(new Error('The operation was aborted due to timeout'), PEER, true, false), /no answer in time/)
    assert.match(dialFailure(new Error('The operation was aborted due to timeout'), PEER, true, true), /no answer in time.*private swarm/)
    assert.match(dialFailure(new Error('Can not dial self'), PEER, false, false), /own peer id/)
  })
})
