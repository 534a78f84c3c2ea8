/**
 * The peer finder keeps dialling: peers offered while every slot is taken wait for one and
 * are tried as attempts settle, so identities that answer badly cannot keep the rest out.
 */
import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { CID } from 'multiformats/cid'
import { ProtocolViolationError } from '../../../src/errors.js'
import { PEER_FINDING } from '../../../src/config/defaults.js'
import { PeerFinder, dialTarget, topUpTarget } from '../../../src/swarm/peer-finder.js'
import { until } from '../fixtures.js'
import type { Swarm } from '../../../src/swarm/swarm.js'
import type { PeerNetwork } from '../../../src/swarm/types.js'

const CONTENT = CID.parse('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')

/**
 * Peers named `bad*` fail their handshake after `failMs`; any other joins the swarm.
 */
function scripted (failMs: number, connectedNow: string[] = []): { network: PeerNetwork, swarm: Swarm, dialled: string[] } {
  const peers = new Map<string, unknown>()
  const swarm = { state: 'downloading', contentId: CONTENT.toString(), peers, startedAt: Date.now() } as unknown as Swarm
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
    // dialTarget(10) = 3 places of its own
    const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 10, interval: 60_000, log: defaultLogger().forComponent('test') })
    try {
      assert.equal(dialTarget(10), 3)
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

  it('dials peers itself up to its dial target, and on to maxPeers only while a wanted piece has no source among them', async () => {
    const { network, swarm, dialled } = scripted(20)
    let lacking = false
    Object.defineProperty(swarm, 'needsSource', { get: () => lacking })
    const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 10, interval: 60_000, log: defaultLogger().forComponent('test') })
    try {
      for (const peer of ['a', 'b', 'c', 'd', 'e']) finder.offer(peer)
      await until(() => swarm.peers.size === 3, 2000, 'the first three join')
      await new Promise(resolve => setTimeout(resolve, 50))
      assert.deepEqual(dialled, ['a', 'b', 'c'], 'the rest of the places are left to peers that dial us')
      lacking = true
      finder.offer('f')
      await until(() => swarm.peers.size === 6, 2000, 'lacking a source, it dials on: the newcomer and those that waited')
      assert.deepEqual([...dialled].sort(), ['a', 'b', 'c', 'd', 'e', 'f'])
    } finally {
      finder.stop()
    }
  })

  it('from its first search on it dials up to its top-up target (a crowd\'s last joiner, whom nobody dials)', async function () {
    this.timeout(10_000)
    const { network, swarm, dialled } = scripted(20)
    const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 10, interval: 60_000, log: defaultLogger().forComponent('test') })
    try {
      assert.equal(topUpTarget(10), 5)
      for (const peer of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) finder.offer(peer)
      await until(() => swarm.peers.size === 3, 2000, 'the first three join')
      assert.deepEqual(dialled, ['a', 'b', 'c'])
      finder.start(new AbortController().signal)
      // the first search comes within PEER_FINDING.firstJitter (1 s)
      await until(() => swarm.peers.size === 5, 4000, 'two more of those waiting once the first search is over')
      await new Promise(resolve => setTimeout(resolve, 50))
      assert.deepEqual(dialled, ['a', 'b', 'c', 'd', 'e'])
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

  describe('searches', () => {
    /** A network whose provider searches are counted (with when each began) and name `named(call)`. */
    function searching (named: (call: number) => string[]): { network: PeerNetwork, swarm: Swarm, searches: () => number, at: number[] } {
      const { network, swarm } = scripted(20)
      let calls = 0
      const at: number[] = []
      network.findPeers = async function * () {
        const call = calls++
        at.push(Date.now() - swarm.startedAt)
        for (const id of named(call)) yield { peerId: id, source: 'provider' as const }
      }
      return { network, swarm, searches: () => calls, at }
    }

    it('with nobody connected trading the content, it asks the DHT within the first jitter', async () => {
      const { network, swarm, at } = searching(() => [])
      const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 50, interval: 60_000, log: defaultLogger().forComponent('test') })
      finder.start(new AbortController().signal)
      try {
        await until(() => at.length === 1, 2000, 'a search within PEER_FINDING.firstJitter (1 s)')
      } finally {
        finder.stop()
      }
    })

    it('waits for the connected peers still being tried when those that answered first lack what it wants (a crowd\'s busy seeder)', async function () {
      this.timeout(10_000)
      const { network, swarm, at } = searching(() => [])
      const peers = swarm.peers as Map<string, unknown>
      network.connectedPeers = () => ['leecher', 'seeder']
      network.connect = async (peer) => {
        if (peer === 'seeder') await new Promise(resolve => setTimeout(resolve, 1500))
        peers.set(peer, {})
      }
      Object.defineProperty(swarm, 'needsSource', { get: () => !peers.has('seeder') })
      const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 50, interval: 60_000, log: defaultLogger().forComponent('test') })
      finder.start(new AbortController().signal)
      try {
        await until(() => peers.has('seeder'), 3000, 'the seeder joins')
        await new Promise(resolve => setTimeout(resolve, 300))
        assert.deepEqual(at, [], `searched at ${at.join(', ')} ms while the seeder was being tried`)
      } finally {
        finder.stop()
      }
    })

    it('a swarm that a connected peer feeds asks the DHT only once the interval has passed', async function () {
      this.timeout(10_000)
      const { network, swarm, at } = searching(() => [])
      ;(swarm.peers as Map<string, unknown>).set('seeder', {})
      const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 50, interval: 4000, log: defaultLogger().forComponent('test') })
      finder.start(new AbortController().signal)
      try {
        await until(() => at.length === 1, 6000, 'a search once the interval has passed')
        assert.ok(at[0] >= 3900, `searched after ${at[0]} ms, with the swarm fed`)
      } finally {
        finder.stop()
      }
    })

    it('a fed swarm whose peers name its members to it (peer exchange) leaves the DHT alone past the interval, and tries those it is told of', async function () {
      this.timeout(10_000)
      const { network, swarm, at } = searching(() => [])
      const peers = swarm.peers as Map<string, unknown>
      peers.set('seeder', {})
      const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 50, interval: 300, log: defaultLogger().forComponent('test') })
      finder.start(new AbortController().signal)
      try {
        // the seeder names another leecher, and the swarm itself
        finder.heardOf('leecher2')
        finder.heardOf('seeder')
        await until(() => peers.has('leecher2'), 2000, 'the peer it was told of joins')
        await new Promise(resolve => setTimeout(resolve, 1500))
        assert.deepEqual(at, [], `searched at ${at.join(', ')} ms: told of its members, it waits PEER_FINDING.toldQuiet (${PEER_FINDING.toldQuiet} ms)`)
        // starving, it asks at once all the same
        peers.clear()
        await until(() => at.length === 1, 2000, 'a search once no peer is left')
      } finally {
        finder.stop()
      }
    })

    it('a fed swarm left with no peer asks the DHT at once; a search that named nobody new is followed by the interval, not firstPause', async function () {
      this.timeout(10_000)
      const { network, swarm, at } = searching(() => [])
      const peers = swarm.peers as Map<string, unknown>
      peers.set('seeder', {})
      const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 50, interval: 60_000, log: defaultLogger().forComponent('test') })
      finder.start(new AbortController().signal)
      try {
        await new Promise(resolve => setTimeout(resolve, 1500))
        assert.equal(at.length, 0, 'fed: no search yet')
        peers.delete('seeder')
        await until(() => at.length === 1, 2000, 'a search once no peer is left')
        // it named nobody new: the next waits the full interval, not firstPause (a DHT walk for nothing costs every node)
        await new Promise(resolve => setTimeout(resolve, PEER_FINDING.firstPause + 500))
        assert.equal(at.length, 1)
      } finally {
        finder.stop()
      }
    })

    it('a fed swarm whose searches name nobody new searches less and less often', async function () {
      this.timeout(10_000)
      const { network, swarm, at } = searching(() => [])
      ;(swarm.peers as Map<string, unknown>).set('seeder', {})
      const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 50, interval: 300, log: defaultLogger().forComponent('test') })
      finder.start(new AbortController().signal)
      try {
        await new Promise(resolve => setTimeout(resolve, 3000))
        // at about 300, 900 and 2100 ms: every 300 ms would be ten
        assert.ok(at.length >= 2 && at.length <= 4, `searches at ${at.join(', ')} ms`)
        const gaps = at.slice(1).map((t, i) => t - at[i])
        assert.ok(gaps.every((gap, i) => i === 0 || gap >= 1.5 * gaps[i - 1]), `gaps ${gaps.join(', ')} ms double`)
      } finally {
        finder.stop()
      }
    })

    it('with its dial target reached it searches only while it has nothing to ask of its peers and pieces none of them has', async function () {
      this.timeout(10_000)
      const { network, swarm, searches } = searching(() => [])
      const partners = swarm.peers as Map<string, unknown>
      partners.set('a', {})
      partners.set('b', {})
      let lacking = false
      Object.defineProperty(swarm, 'needsSource', { get: () => lacking })
      const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 4, interval: 60_000, log: defaultLogger().forComponent('test') })
      finder.start(new AbortController().signal)
      try {
        // past firstJitter (1 s) and a firstPause (2 s): with a source of every piece, no search
        await new Promise(resolve => setTimeout(resolve, 3500))
        assert.equal(searches(), 0)
        // the next round (after at most firstPause doubled) finds a piece nobody here has
        lacking = true
        await until(() => searches() === 1, 5000, 'a search once a wanted piece has no source')
      } finally {
        finder.stop()
      }
    })

    it('a full swarm that would drop an idle peer tries one newcomer at a time', async () => {
      const { network, swarm, dialled } = scripted(20)
      const partners = swarm.peers as Map<string, unknown>
      for (const id of ['a', 'b', 'c']) partners.set(id, {})
      let room = false
      Object.defineProperty(swarm, 'hasRoomForPeer', { get: () => room })
      const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 3, interval: 60_000, log: defaultLogger().forComponent('test') })
      try {
        finder.offer('bad0')
        assert.deepEqual(dialled, [], 'full, and no peer to drop: it waits')
        room = true
        finder.offer('bad1')
        finder.offer('bad2')
        assert.deepEqual(dialled, ['bad1'], 'one attempt at a time past the places')
        await until(() => dialled.length === 2, 2000, 'the next once the first settles')
        assert.equal(dialled[1], 'bad0', 'the one that waited longest')
      } finally {
        finder.stop()
      }
    })

    it('a swarm the node\'s budget leaves no place dials nobody, unless it would drop an idle peer, one at a time', async () => {
      const { network, swarm, dialled } = scripted(1000)
      let atBudget = true
      let room = false
      Object.defineProperty(swarm, 'atNodeBudget', { get: () => atBudget })
      Object.defineProperty(swarm, 'hasRoomForPeer', { get: () => room })
      const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 10, interval: 60_000, log: defaultLogger().forComponent('test') })
      try {
        finder.offer('bad0')
        assert.deepEqual(dialled, [], 'under its own dial target, but the node has no place: it waits')
        room = true
        finder.offer('bad1')
        finder.offer('bad2')
        assert.deepEqual(dialled, ['bad1'], 'a peer of its own to drop: one attempt at a time')
        await until(() => dialled.length === 2, 5000, 'the next once the first settles')
        atBudget = false
        finder.offer('bad3')
        assert.deepEqual(dialled, ['bad1', 'bad0', 'bad3'], 'a place again: a second attempt beside the one under way')
        // told of the place, it tries the one that waited
        finder.roomFreed()
        assert.deepEqual(dialled, ['bad1', 'bad0', 'bad3', 'bad2'])
      } finally {
        finder.stop()
      }
    })

    it('after a search that named a new peer, the next follows the first pause', async function () {
      this.timeout(10_000)
      const { network, swarm, searches } = searching(call => [`peer${call}`])
      const finder = new PeerFinder({ swarm, cid: CONTENT, network, maxPeers: 50, interval: 60_000, log: defaultLogger().forComponent('test') })
      finder.start(new AbortController().signal)
      try {
        await until(() => searches() >= 2, 5000, 'a second search within firstJitter + firstPause')
      } finally {
        finder.stop()
      }
    })
  })
})
