import assert from 'node:assert/strict'
import { explainNotFound, likelyCause } from '../../../src/swarm/search-diagnosis.js'
import type { SearchReport } from '../../../src/swarm/types.js'

const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const BOOT = '/ip4/10.0.0.7/tcp/4001/p2p/12D3KooWC73p6PaabQiSWrC2hyipNvpo1K4ByNCy74iXp2gm1EoL'

/** What a search saw: alone, with no bootstrap peer, nobody asked; `over` says otherwise. */
function seen (over: Partial<SearchReport> = {}): SearchReport {
  return {
    connections: 0,
    bootstrap: { addresses: [], connected: 0, failedDials: 0 },
    privateSwarm: false,
    elapsed: 30_000,
    connectedPeers: 0,
    providers: 0,
    asked: 0,
    answers: { 'not-found': 0, stalled: 0, bad: 0, refused: 0, unreachable: 0 },
    ...over
  }
}

function answers (over: Partial<SearchReport['answers']>): SearchReport['answers'] {
  return { 'not-found': 0, stalled: 0, bad: 0, refused: 0, unreachable: 0, ...over }
}

describe('swarm/search-diagnosis', () => {
  it('headline first (content id, timeout in seconds), then the cause on its own line', () => {
    const message = explainNotFound(CID, 30_000, seen())
    const [headline, cause, ...rest] = message.split('\n')
    assert.equal(headline, `no peer with content ${CID} was found within 30 s`)
    assert.match(cause, /^not connected to any peer/)
    assert.deepEqual(rest, [])
  })

  it('no peer and an empty bootstrap list: says how to add one, naming the config file', () => {
    assert.equal(likelyCause(CID, seen({ configFile: '/home/u/.shoal/config.json' })),
      'not connected to any peer, and the bootstrap list is empty: add a peer with `shoal start --bootstrap ADDR`, or under "bootstrap" in /home/u/.shoal/config.json')
    assert.match(likelyCause(CID, seen()), /under "bootstrap" in the config$/)
  })

  it('no peer, bootstrap dials refused: names the peer, counts the failed dials, and mentions the swarm key', () => {
    const cause = likelyCause(CID, seen({ bootstrap: { addresses: [BOOT], connected: 0, failedDials: 3, lastFailure: 'refused' } }))
    assert.equal(cause, `not connected to any peer: the bootstrap peer ${BOOT} could not be reached (3 dials failed: connection refused), or this is a private swarm and this node lacks its key (swarmKey)`)
    assert.match(likelyCause(CID, seen({ bootstrap: { addresses: [BOOT], connected: 0, failedDials: 1, lastFailure: 'timeout' } })), /\(1 dial failed: no answer\)/)
  })

  it('no peer, no dial failed yet: says so rather than a count of zero', () => {
    assert.match(likelyCause(CID, seen({ bootstrap: { addresses: [BOOT], connected: 0, failedDials: 0 } })), /could not be reached \(no dial has failed yet: they may be slow to answer\)/)
  })

  it('names two bootstrap peers and counts the rest', () => {
    const addresses = [1, 2, 3, 4].map(i => `/dns4/boot${i}.example/tcp/4001/p2p/x`)
    const cause = likelyCause(CID, seen({ bootstrap: { addresses, connected: 0, failedDials: 4, lastFailure: 'other' } }))
    assert.match(cause, /the bootstrap peers \/dns4\/boot1\.example\/tcp\/4001\/p2p\/x, \/dns4\/boot2\.example\/tcp\/4001\/p2p\/x and 2 more could not be reached \(4 dials failed\)/)
  })

  it('no peer, the encryption failed: puts the swarm key first, worded for a node with or without a key', () => {
    const keyless = likelyCause(CID, seen({ bootstrap: { addresses: [BOOT], connected: 0, failedDials: 2, lastFailure: 'encryption' } }))
    assert.equal(keyless, `not connected to any peer: the bootstrap peer ${BOOT} answered, but the connection's encryption failed: this is a private swarm and this node lacks its key (swarmKey)`)
    const keyed = likelyCause(CID, seen({ privateSwarm: true, bootstrap: { addresses: [BOOT], connected: 0, failedDials: 2, lastFailure: 'encryption' } }))
    assert.match(keyed, /this node's swarm key \(swarmKey\) is not theirs, or they run without one$/)
  })

  it('peers connected, no provider, every peer asked said it has none: check the content id', () => {
    const cause = likelyCause(CID, seen({ connections: 3, connectedPeers: 3, asked: 3, answers: answers({ 'not-found': 3 }) }))
    assert.equal(cause, `connected to 3 peers, none has ${CID}: check the content id, or that a node holding it is online`)
    assert.match(likelyCause(CID, seen({ connectedPeers: 1, asked: 1, answers: answers({ 'not-found': 1 }) })), /^connected to 1 peer, none has/)
  })

  it('providers found but none gave a valid manifest: says what each did', () => {
    const cause = likelyCause(CID, seen({ connectedPeers: 4, providers: 2, asked: 5, answers: answers({ 'not-found': 1, unreachable: 1, stalled: 1, refused: 1, bad: 1 }) }))
    assert.equal(cause, 'connected to 4 peers; 2 providers found in the DHT, but none gave a valid manifest: 1 does not have it, 1 unreachable, 1 stalled (too slow or silent), 1 refused the request, 1 sent a bad manifest')
  })

  it('no provider, but a connected peer stalled: not "none has it" (it may have it)', () => {
    const cause = likelyCause(CID, seen({ connectedPeers: 2, asked: 2, answers: answers({ 'not-found': 1, stalled: 1 }) }))
    assert.equal(cause, 'connected to 2 peers; asked 2 peers, none gave a valid manifest: 1 does not have it, 1 stalled (too slow or silent)')
  })
})
