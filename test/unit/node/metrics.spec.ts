/**
 * The node's shoal_ metrics against a stand-in for the swarms: counters follow the status
 * projection by differences (never backwards), piece events feed the piece counters and the
 * round-trip histogram, ban reasons fall into a fixed set of categories, and two nodes'
 * metrics never mix.
 */
import assert from 'node:assert/strict'
import { TypedEventEmitter } from 'main-event'
import { Registry } from 'prom-client'
import { NodeMetrics, banCategory } from '../../../src/node/metrics.js'
import { parsePrometheus, sample } from '../../helpers/prometheus.js'
import type { SwarmEvents } from '../../../src/swarm/events.js'
import type { SwarmInfo } from '../../../src/swarm/status.js'
import type { SwarmsView } from '../../../src/swarm/swarms-view.js'
import type { SwarmStatus } from '../../../src/swarm/types.js'

/** Swarms as the metrics see them: their events, their peers, their status. */
class FakeSwarms {
  readonly events = new TypedEventEmitter<SwarmEvents>()
  status: SwarmStatus[] = []
  peers = new Map<string, string[]>()

  view (): SwarmsView {
    return {
      list: (): SwarmInfo[] => this.status.map(s => ({ contentId: s.contentId, peers: this.peers.get(s.contentId) ?? [] }) as unknown as SwarmInfo),
      addEventListener: (type: keyof SwarmEvents, listener: (event: never) => void) => { this.events.addEventListener(type, listener as () => void) },
      removeEventListener: (type: keyof SwarmEvents, listener: (event: never) => void) => { this.events.removeEventListener(type, listener as () => void) }
    } as unknown as SwarmsView
  }

  emit<K extends keyof SwarmEvents> (type: K, detail: SwarmEvents[K]['detail']): void {
    this.events.safeDispatchEvent(type, { detail })
  }
}

function swarm (contentId: string, fields: Partial<SwarmStatus> = {}): SwarmStatus {
  return { contentId, name: contentId, path: `/d/${contentId}`, directory: false, size: 1000, pieceSize: 100, pieceCount: 10, piecesHave: 10, state: 'seeding', peers: 0, uploaded: 0, downloaded: 0, uploadRate: 0, downloadRate: 0, startedAt: 1, ...fields }
}

function useMetrics (): { swarms: FakeSwarms, metrics: NodeMetrics, scrape: () => Promise<Map<string, number>> } {
  const swarms = new FakeSwarms()
  const metrics = new NodeMetrics({ registry: new Registry(), swarms: swarms.view(), status: () => swarms.status })
  return { swarms, metrics, scrape: async () => parsePrometheus(await metrics.text()) }
}

describe('node/metrics', () => {
  it('bytes up and down and copies sent follow the status projection, summed over swarms', async () => {
    const { swarms, scrape } = useMetrics()
    swarms.status = [swarm('a', { uploaded: 500, downloaded: 1000 }), swarm('b', { size: 2000, uploaded: 4000 })]
    let m = await scrape()
    assert.equal(sample(m, 'shoal_uploaded_bytes_total'), 4500)
    assert.equal(sample(m, 'shoal_downloaded_bytes_total'), 1000)
    assert.equal(sample(m, 'shoal_seeder_copies_sent_total'), 0.5 + 2)
    swarms.status = [swarm('a', { uploaded: 1500, downloaded: 1000 }), swarm('b', { size: 2000, uploaded: 4000 })]
    m = await scrape()
    assert.equal(sample(m, 'shoal_uploaded_bytes_total'), 5500)
    assert.equal(sample(m, 'shoal_seeder_copies_sent_total'), 1.5 + 2)
  })

  it('never go backwards: a swarm closed keeps its bytes counted, one reopened counts from zero again', async () => {
    const { swarms, scrape } = useMetrics()
    swarms.status = [swarm('a', { uploaded: 700 })]
    assert.equal(sample(await scrape(), 'shoal_uploaded_bytes_total'), 700)
    swarms.status = []
    assert.equal(sample(await scrape(), 'shoal_uploaded_bytes_total'), 700)
    // the same content opened again (a new add): a new swarm, its own count from 0
    swarms.status = [swarm('a', { uploaded: 200, startedAt: 2 })]
    assert.equal(sample(await scrape(), 'shoal_uploaded_bytes_total'), 900)
  })

  it('piece events: verified, failed by reason (a hash failure counted as such too), round trips in seconds', async () => {
    const { swarms, scrape } = useMetrics()
    for (let index = 0; index < 3; index++) swarms.emit('swarm:piece-verified', { contentId: 'a', index })
    swarms.emit('swarm:piece-received', { contentId: 'a', peerId: 'p', index: 0, roundTripMs: 20 })
    swarms.emit('swarm:piece-received', { contentId: 'a', peerId: 'p', index: 1, roundTripMs: 3000 })
    swarms.emit('swarm:piece-failed', { contentId: 'a', peerId: 'p', index: 2, reason: 'hash' })
    swarms.emit('swarm:piece-failed', { contentId: 'a', peerId: 'p', index: 2, reason: 'timeout' })
    swarms.emit('swarm:piece-failed', { contentId: 'a', peerId: 'q', index: 2, reason: 'timeout' })
    const m = await scrape()
    assert.equal(sample(m, 'shoal_pieces_verified_total'), 3)
    assert.equal(sample(m, 'shoal_pieces_failed_total{reason="hash"}'), 1)
    assert.equal(sample(m, 'shoal_pieces_failed_total{reason="timeout"}'), 2)
    assert.equal(sample(m, 'shoal_pieces_failed_total{reason="rejected"}'), 0)
    assert.equal(sample(m, 'shoal_hash_failures_total'), 1)
    assert.equal(sample(m, 'shoal_piece_round_trip_seconds_count'), 2)
    assert.equal(sample(m, 'shoal_piece_round_trip_seconds_sum'), 3.02)
    assert.equal(sample(m, 'shoal_piece_round_trip_seconds_bucket{le="0.025"}'), 1)
    assert.equal(sample(m, 'shoal_piece_round_trip_seconds_bucket{le="5"}'), 2)
  })

  it('swarms by state (every state a series), and peers counted once however many swarms they trade in', async () => {
    const { swarms, scrape } = useMetrics()
    swarms.status = [swarm('a'), swarm('b', { state: 'downloading' }), swarm('c', { state: 'downloading' })]
    swarms.peers.set('a', ['p1', 'p2'])
    swarms.peers.set('b', ['p2', 'p3'])
    const m = await scrape()
    assert.equal(sample(m, 'shoal_swarms{state="seeding"}'), 1)
    assert.equal(sample(m, 'shoal_swarms{state="downloading"}'), 2)
    assert.equal(sample(m, 'shoal_swarms{state="partial"}'), 0)
    assert.equal(sample(m, 'shoal_peers'), 3)
  })

  it('bans by category: the reasons the node bans for fall into a fixed set', async () => {
    assert.equal(banCategory('sent 3 piece(s) that failed verification'), 'bad-pieces')
    assert.equal(banCategory('too many bad pieces'), 'bad-pieces')
    assert.equal(banCategory('held our requests 5 times without sending their data (silent, or slower than 1024 B/s)'), 'stalls')
    assert.equal(banCategory('did not read what we sent it, 3 times (took less than 1024 B/s)'), 'stalls')
    assert.equal(banCategory('refused 4 piece(s) it had announced, as not available'), 'false-claims')
    assert.equal(banCategory('asked for 50 piece(s) while choked'), 'choked-requests')
    assert.equal(banCategory('frame length 99999999 exceeds the cap'), 'protocol')
    const { metrics, scrape } = useMetrics()
    metrics.countBan('too many bad pieces')
    metrics.countBan('anything else at all, with a peer id 12D3KooW...')
    const m = await scrape()
    assert.equal(sample(m, 'shoal_bans_total{category="bad-pieces"}'), 1)
    assert.equal(sample(m, 'shoal_bans_total{category="protocol"}'), 1)
    assert.equal([...m.keys()].filter(k => k.startsWith('shoal_bans_total')).length, 5, 'one series per category, no more')
  })

  it('no series names a swarm, whatever the number of swarms', async () => {
    const { swarms, scrape } = useMetrics()
    swarms.status = Array.from({ length: 50 }, (_, i) => swarm(`content-${i}`, { uploaded: i }))
    const m = await scrape()
    assert.ok(![...m.keys()].some(k => k.startsWith('shoal_') && k.includes('content-')))
    assert.equal(sample(m, 'shoal_swarms{state="seeding"}'), 50)
  })

  it('two nodes\' metrics never mix, and a stopped one hears no more events', async () => {
    const one = useMetrics()
    const two = useMetrics()
    one.swarms.emit('swarm:piece-verified', { contentId: 'a', index: 0 })
    one.swarms.status = [swarm('a', { downloaded: 100 })]
    assert.equal(sample(await one.scrape(), 'shoal_pieces_verified_total'), 1)
    assert.equal(sample(await two.scrape(), 'shoal_pieces_verified_total'), 0)
    assert.equal(sample(await two.scrape(), 'shoal_downloaded_bytes_total'), 0)
    one.metrics.stop()
    one.swarms.emit('swarm:piece-verified', { contentId: 'a', index: 1 })
    assert.equal(sample(await one.scrape(), 'shoal_pieces_verified_total'), 1)
  })

  it('the process\'s metrics come with every node\'s text', async () => {
    const m = await useMetrics().scrape()
    assert.ok(m.has('process_cpu_user_seconds_total'))
    assert.ok([...m.keys()].some(k => k.startsWith('nodejs_heap_size_used_bytes')))
  })
})
