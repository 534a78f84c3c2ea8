import assert from 'node:assert/strict'
import { PeerStalledError, UnknownContentError } from '../../../src/errors.js'
import { ManifestSearch } from '../../../src/swarm/manifest-search.js'
import { SearchTally } from '../../../src/swarm/search-tally.js'
import { makeContent } from '../fixtures.js'
import { known, logger } from './fakes.js'
import type { ManifestSearchTunables } from '../../../src/swarm/manifest-search.js'
import type { FindPeersOptions, FoundPeer, NetworkConnectivity } from '../../../src/swarm/types.js'
import type { CID } from 'multiformats/cid'

const content = known(makeContent([{ path: 'data.bin', size: 1000 }]))
const tunables: ManifestSearchTunables = { parallelCandidates: 4, retryAfter: 100, stalledRetryAfter: 10_000, roundPause: 20, providerDelay: 10_000 }
const log = logger.forComponent('shoal:test:manifest-search')

type Answer = 'manifest' | 'not-found' | 'stall'

/**
 * Candidates in order, each answering as scripted; a stall holds until `stallMs`, or until
 * cancelled. Peers named `conn*` are connected ones, listed first; the others are providers,
 * named only once the search's `providersAfter` has resolved, as the node's network does.
 */
class ScriptedNetwork {
  readonly asked: string[] = []
  readonly cancelled: string[] = []
  running = 0
  mostRunning = 0
  /** When the provider search began (ms since the network was made), if it did. */
  providersAt: number | undefined
  private readonly made = Date.now()

  constructor (private readonly answers: ReadonlyArray<[string, Answer]>, private readonly stallMs = 300) {}

  async * findPeers (_cid: CID, signal: AbortSignal, options: FindPeersOptions = {}): AsyncIterable<FoundPeer> {
    const connected = this.answers.filter(([peer]) => peer.startsWith('conn'))
    for (const [peer] of connected) {
      signal.throwIfAborted()
      yield { peerId: peer, source: 'connected' }
    }
    if (connected.length > 0) await options.providersAfter?.()
    if (signal.aborted) return
    this.providersAt = Date.now() - this.made
    for (const [peer] of this.answers.filter(([p]) => !p.startsWith('conn'))) {
      signal.throwIfAborted()
      yield { peerId: peer, source: 'provider' }
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

  it('a connected peer that has the manifest wins before the DHT is asked for providers', async () => {
    const network = new ScriptedNetwork([['conn1', 'stall'], ['conn2', 'manifest'], ['provider', 'manifest']], 10_000)
    const found = await new ManifestSearch({ network, log, tunables }).find(content.cid, AbortSignal.timeout(5000))
    assert.deepEqual(found, content.manifestBytes)
    assert.deepEqual(network.asked, ['conn1', 'conn2'])
    assert.equal(network.providersAt, undefined, 'no provider search')
  })

  it('asks the DHT at once when every connected peer answered without the manifest', async () => {
    const network = new ScriptedNetwork([['conn1', 'not-found'], ['conn2', 'not-found'], ['provider', 'manifest']])
    const started = Date.now()
    const found = await new ManifestSearch({ network, log, tunables }).find(content.cid, AbortSignal.timeout(5000))
    assert.deepEqual(found, content.manifestBytes)
    assert.deepEqual(network.asked, ['conn1', 'conn2', 'provider'])
    // providerDelay is 10 s here: the search went on when the connected peers had answered
    assert.ok(Date.now() - started < 2000, `found after ${Date.now() - started} ms`)
  })

  it('a connected peer that stays silent holds the provider search for providerDelay only', async () => {
    const network = new ScriptedNetwork([['conn1', 'stall'], ['provider', 'manifest']], 10_000)
    const found = await new ManifestSearch({ network, log, tunables: { ...tunables, providerDelay: 200 } }).find(content.cid, AbortSignal.timeout(5000))
    assert.deepEqual(found, content.manifestBytes)
    const at = network.providersAt ?? -1
    assert.ok(at >= 190 && at < 2000, `providers searched after ${at} ms`)
    await new Promise(resolve => setTimeout(resolve, 10))
    assert.deepEqual(network.cancelled, ['conn1'], 'the silent peer is cancelled by the win')
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
