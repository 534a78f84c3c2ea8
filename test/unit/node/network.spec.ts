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
