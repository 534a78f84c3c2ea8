import assert from 'node:assert/strict'
import { PeerStalledError, UnknownContentError } from '../../../src/errors.js'
import { ManifestSearch } from '../../../src/swarm/manifest-search.js'
import { SearchTally } from '../../../src/swarm/search-tally.js'
import { makeContent } from '../fixtures.js'
import { known, logger } from './fakes.js'
import type { ManifestSearchTunables } from '../../../src/swarm/manifest-search.js'
import type { FoundPeer, NetworkConnectivity } from '../../../src/swarm/types.js'
import type { CID } from 'multiformats/cid'

const content = known(makeContent([{ path: 'data.bin', size: 1000 }]))
const tunables: ManifestSearchTunables = { parallelCandidates: 4, retryAfter: 100, stalledRetryAfter: 10_000, roundPause: 20 }
const log = logger.forComponent('shoal:test:manifest-search')

type Answer = 'manifest' | 'not-found' | 'stall'

/**
 * Candidates in order, each answering as scripted; a stall holds until `stallMs`, or until
 * cancelled. Peers named `conn*` are connected ones, the others providers.
 */
class ScriptedNetwork {
  readonly asked: string[] = []
  readonly cancelled: string[] = []
  running = 0
  mostRunning = 0

  constructor (private readonly answers: ReadonlyArray<[string, Answer]>, private readonly stallMs = 300) {}

  async * findPeers (_cid: CID, signal: AbortSignal): AsyncIterable<FoundPeer> {
    for (const [peer] of this.answers) {
      signal.throwIfAborted()
      yield { peerId: peer, source: peer.startsWith('conn') ? 'connected' : 'provider' }
    }
  }

  async fetchManifest (peer: string, _cid: CID, signal: AbortSignal): Promise<Uint8Array> {
    this.asked.push(peer)
    this.running++
    this.mostRunning = Math.max(this.mostRunning, this.running)
    try {
      const answer = this.answers.find(([p]) => p === peer)?.[1]
      if (answer === 'manifest') return content.manifestBytes
      if (answer === 'not-found') throw new UnknownContentError('no')
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.stallMs)
        signal.addEventListener('abort', () => { clearTimeout(timer); this.cancelled.push(peer); reject(signal.reason) }, { once: true })
      })
      throw new PeerStalledError('silent')
    } finally {
      this.running--
    }
  }
}

describe('swarm/manifest-search', () => {
  it('asks up to parallelCandidates at once: four stalling peers listed first cost one stall, not four', async () => {
    const network = new ScriptedNetwork([['s1', 'stall'], ['s2', 'stall'], ['s3', 'stall'], ['s4', 'stall'], ['honest', 'manifest']])
    const started = Date.now()
    const found = await new ManifestSearch({ network, log, tunables }).find(content.cid, AbortSignal.timeout(5000))
    const took = Date.now() - started
    assert.deepEqual(found, content.manifestBytes)
    assert.equal(network.mostRunning, 4)
    assert.deepEqual(network.asked, ['s1', 's2', 's3', 's4', 'honest'])
    assert.ok(took >= 250 && took < 1000, `found after ${took} ms (one stall is 300 ms)`)
  })

  it('the first manifest cancels the requests still running', async () => {
    const network = new ScriptedNetwork([['s1', 'stall'], ['s2', 'stall'], ['honest', 'manifest']], 10_000)
    const started = Date.now()
    const found = await new ManifestSearch({ network, log, tunables }).find(content.cid, AbortSignal.timeout(5000))
    assert.deepEqual(found, content.manifestBytes)
    assert.ok(Date.now() - started < 1000)
    await new Promise(resolve => setTimeout(resolve, 10))
    assert.deepEqual(network.cancelled.sort(), ['s1', 's2'])
  })

  it('a peer that stalled waits stalledRetryAfter before it is asked again, one that said NOT_FOUND only retryAfter', async () => {
    const network = new ScriptedNetwork([['staller', 'stall'], ['absent', 'not-found']], 50)
    const found = await new ManifestSearch({ network, log, tunables }).find(content.cid, AbortSignal.timeout(1000))
    assert.equal(found, undefined, 'nobody had it')
    assert.equal(network.asked.filter(p => p === 'staller').length, 1)
    const absent = network.asked.filter(p => p === 'absent').length
    assert.ok(absent >= 5 && absent <= 11, `NOT_FOUND asked ${absent} times in 1 s`)
  })

  it('ends with undefined once its signal aborts, whatever is running', async () => {
    const network = new ScriptedNetwork([['s1', 'stall']], 60_000)
    const started = Date.now()
    assert.equal(await new ManifestSearch({ network, log, tunables }).find(content.cid, AbortSignal.timeout(200)), undefined)
    assert.ok(Date.now() - started < 1000)
  })

  it('tells its tally which peers it found, connected or named by the DHT, whom it asked and what each answered', async () => {
    const network = new ScriptedNetwork([['conn1', 'not-found'], ['conn2', 'not-found'], ['provider', 'stall']], 50)
    const connectivity: NetworkConnectivity = { connections: 2, bootstrap: { addresses: [], connected: 0, failedDials: 0 }, privateSwarm: false }
    const tally = new SearchTally({ connectivity: () => connectivity })
    await new ManifestSearch({ network, log, tunables, tally }).find(content.cid, AbortSignal.timeout(300))
    const report = tally.report()
    assert.equal(report.connectedPeers, 2)
    assert.equal(report.providers, 1)
    assert.equal(report.asked, 3)
    assert.deepEqual(report.answers, { 'not-found': 2, stalled: 1, bad: 0, refused: 0, unreachable: 0 })
    assert.ok(report.elapsed >= 250, `elapsed ${report.elapsed} ms`)
  })
})
