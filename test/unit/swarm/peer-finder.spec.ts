/**
 * The peer finder keeps dialling: peers offered while every slot is taken wait for one and
 * are tried as attempts settle, so identities that answer badly cannot keep the rest out.
 */
import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { CID } from 'multiformats/cid'
import { ProtocolViolationError } from '../../../src/errors.js'
import { PeerFinder } from '../../../src/swarm/peer-finder.js'
import { until } from '../fixtures.js'
import type { Swarm } from '../../../src/swarm/swarm.js'
import type { PeerNetwork } from '../../../src/swarm/types.js'

const CONTENT = CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')

/** Peers named `bad*` fail their handshake after `failMs`; any other joins the swarm. */
function scripted (failMs: number, connectedNow: string[] = []): { network: PeerNetwork, swarm: Swarm, dialled: string[] } {
  const peers = new Map<string, unknown>()
  const swarm = { state: 'downloading', contentId: CONTENT.toString(), peers } as unknown as Swarm
  const dialled: string[] = []
  const network: PeerNetwork = {
    localPeerId: 'local',
    findPeers: async function * () {},
    connectedPeers: () => connectedNow,
    connect: async (peer) => {
      dialled.push(peer)
      if (peer.startsWith('bad')) {
        await new Promise(resolve => setTimeout(resolve, failMs))
        throw new ProtocolViolationError('bitfield of 3 bytes for 20 pieces')
      }
      peers.set(peer, {})
    },
    fetchManifest: async () => { throw new Error('not used') },
    provide: () => {},
    connectivity: () => ({ connections: connectedNow.length, bootstrap: { addresses: [], connected: 0, failedDials: 0 }, privateSwarm: false })
  }
  return { network, swarm, dialled }
}

describe('swarm/peer-finder', () => {
  it('peers offered while every slot is taken are tried as the attempts before them settle', async () => {
    const { network, swarm, dialled } = scripted(20)
    const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 3, interval: 60_000, log: defaultLogger().forComponent('test') })
    try {
      for (let i = 0; i < 9; i++) finder.offer(`bad${i}`)
      finder.offer('honest')
      assert.deepEqual(dialled, ['bad0', 'bad1', 'bad2'])
      await until(() => swarm.peers.has('honest'), 2000, 'the honest peer is dialled')
      assert.deepEqual(dialled.slice(0, 9), Array.from({ length: 9 }, (_, i) => `bad${i}`))
      assert.equal(dialled[9], 'honest')
      // a failed peer is not tried again at once
      finder.offer('bad0')
      await new Promise(resolve => setTimeout(resolve, 50))
      assert.equal(dialled.filter(p => p === 'bad0').length, 1)
    } finally {
      finder.stop()
    }
  })

  it('tries the peers connected now as it starts, before the jittered first search', () => {
    const { network, swarm, dialled } = scripted(20, ['seeder', 'local'])
    const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 3, interval: 60_000, log: defaultLogger().forComponent('test') })
    try {
      finder.start(new AbortController().signal)
      assert.deepEqual(dialled, ['seeder'], 'dialled at once, not after up to PEER_FINDING.firstJitter')
    } finally {
      finder.stop()
    }
  })
})
