import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { MANIFEST_SEARCH } from '../../../src/config/defaults.js'
import { contentIdOf } from '../../../src/core/content-id.js'
import { ManifestMismatchError, PeerStalledError, UnknownContentError } from '../../../src/errors.js'
import { Libp2pNetwork } from '../../../src/node/network.js'

const MANIFEST = new TextEncoder().encode('manifest')
const CID = contentIdOf(MANIFEST)
const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

/** The network over a manifest exchange that answers each fetch with the next of `answers`. */
function networkAnswering (answers: Array<Error | Uint8Array>): { network: Libp2pNetwork, misbehaviour: string[] } {
  const misbehaviour: string[] = []
  const manifestExchange = {
    fetch: async () => {
      const answer = answers.shift()
      if (answer instanceof Error) throw answer
      return answer ?? MANIFEST
    }
  }
  const network = new Libp2pNetwork({
    libp2p: { peerId: { toString: () => 'local' } } as never,
    pieceExchange: {} as never,
    manifestExchange: manifestExchange as never,
    swarms: {} as never,
    bans: {} as never,
    log: defaultLogger().forComponent('shoal:test:network'),
    onMisbehaviour: (_peer, reason) => { misbehaviour.push(reason) }
  })
  return { network, misbehaviour }
}

async function fetchAll (network: Libp2pNetwork, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await network.fetchManifest(PEER, CID, new AbortController().signal).catch(() => {})
}

describe('node/network manifest scoring', () => {
  it(`a peer that stalls ${MANIFEST_SEARCH.maxStalls} manifest requests is reported, with why`, async () => {
    const stall = (): Error => new PeerStalledError('silent')
    const { network, misbehaviour } = networkAnswering(Array.from({ length: MANIFEST_SEARCH.maxStalls }, stall))
    await fetchAll(network, MANIFEST_SEARCH.maxStalls - 1)
    assert.deepEqual(misbehaviour, [])
    await fetchAll(network, 1)
    assert.deepEqual(misbehaviour, [`stalled ${MANIFEST_SEARCH.maxStalls} manifest requests (silent, or slower than the minimum rate)`])
  })

  it('a manifest served clears the stalls before it; NOT_FOUND is no offence', async () => {
    const stall = (): Error => new PeerStalledError('slow')
    const { network, misbehaviour } = networkAnswering([stall(), stall(), MANIFEST, stall(), stall(), new UnknownContentError('no'), new UnknownContentError('no')])
    await fetchAll(network, 7)
    assert.deepEqual(misbehaviour, [])
  })

  it('a forged manifest is reported at once', async () => {
    const { network, misbehaviour } = networkAnswering([new ManifestMismatchError('forged')])
    await fetchAll(network, 1)
    assert.match(misbehaviour[0], /forged manifest/)
  })
})

describe('node/network findPeers', () => {
  const peerIdOf = (id: string): { toString: () => string } => ({ toString: () => id })

  /** The network over a libp2p with `connected` peers whose DHT names `providers`, noting when it is asked. */
  function networkFinding (connected: string[], providers: string[]): { network: Libp2pNetwork, dhtAsked: () => boolean } {
    let asked = false
    const libp2p = {
      peerId: peerIdOf('local'),
      getPeers: () => connected.map(peerIdOf),
      services: { dht: {} },
      peerStore: { merge: async () => {} },
      contentRouting: {
        findProviders: async function * () {
          asked = true
          for (const id of providers) yield { id: peerIdOf(id), multiaddrs: [] }
        }
      }
    }
    const network = new Libp2pNetwork({
      libp2p: libp2p as never,
      pieceExchange: {} as never,
      manifestExchange: {} as never,
      swarms: {} as never,
      bans: { isBanned: () => false } as never,
      log: defaultLogger().forComponent('shoal:test:network')
    })
    return { network, dhtAsked: () => asked }
  }

  it('names connected peers first and asks the DHT only once providersAfter has resolved', async () => {
    const { network, dhtAsked } = networkFinding(['conn'], ['provider'])
    let release = (): void => {}
    const gate = new Promise<void>(resolve => { release = resolve })
    const named: string[] = []
    const iterator = network.findPeers(CID, new AbortController().signal, { providersAfter: async () => { await gate } })[Symbol.asyncIterator]()
    named.push((await iterator.next()).value.peerId)
    const next = iterator.next()
    await new Promise(resolve => setTimeout(resolve, 20))
    assert.equal(dhtAsked(), false, 'the DHT waits for the gate')
    release()
    named.push((await next).value.peerId)
    assert.deepEqual(named, ['conn', 'provider'])
    assert.equal((await iterator.next()).done, true)
  })

  it('with no connected peer the DHT is asked at once, and a search aborted at the gate asks nobody', async () => {
    const alone = networkFinding([], ['provider'])
    const never = async (): Promise<void> => { await new Promise(() => {}) }
    const found = []
    for await (const candidate of alone.network.findPeers(CID, new AbortController().signal, { providersAfter: never })) found.push(candidate.peerId)
    assert.deepEqual(found, ['provider'])

    const { network, dhtAsked } = networkFinding(['conn'], ['provider'])
    const controller = new AbortController()
    const names = []
    for await (const candidate of network.findPeers(CID, controller.signal, { providersAfter: async () => { controller.abort() } })) names.push(candidate.peerId)
    assert.deepEqual(names, ['conn'])
    assert.equal(dhtAsked(), false)
  })
})
