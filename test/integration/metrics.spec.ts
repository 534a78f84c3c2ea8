/**
 * The node's Prometheus metrics after a real transfer between two nodes in one process:
 * Shoal's counters agree with status, libp2p's and the process's metrics are there, and
 * each node keeps its own numbers (a node started later clobbers nobody's).
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { dashboardMetricNames, declaredFamilies, metricNames, parsePrometheus, sample } from '../helpers/prometheus.js'
import { HostilePeer, manifestNotFound, poisoner } from '../kit/hostile/index.js'
import { MiB, fetchAndVerify, makeFile, swarmStatus, useTestContext, waitForConnections } from './helpers/context.js'
import type { ShoalNode } from '../../src/index.js'

async function scrape (node: ShoalNode): Promise<Map<string, number>> {
  return parsePrometheus(await node.metrics())
}

function swarmTotals (node: ShoalNode): { uploaded: number, downloaded: number } {
  const swarms = node.status().swarms
  return { uploaded: swarms.reduce((n, s) => n + s.uploaded, 0), downloaded: swarms.reduce((n, s) => n + s.downloaded, 0) }
}

describe('integration: metrics', function () {
  const ctx = useTestContext('metrics')

  it('after a transfer the shoal_ counters agree with status, and each node keeps its own', async function () {
    this.timeout(60_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'data.bin', 5 * MiB + 777)
    const seeder = await ctx.nodes.start('seeder', { content: { pieceSize: 256 * 1024 } })
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)] })
    const added = await seeder.add(source)
    await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'data.bin'), source)

    const up = await scrape(seeder)
    const down = await scrape(leecher)
    assert.equal(sample(up, 'shoal_uploaded_bytes_total'), swarmTotals(seeder).uploaded)
    assert.ok(sample(up, 'shoal_uploaded_bytes_total') >= added.size, 'the seeder sent every byte at least once')
    assert.equal(sample(down, 'shoal_downloaded_bytes_total'), swarmTotals(leecher).downloaded)
    assert.equal(sample(down, 'shoal_downloaded_bytes_total'), added.size)
    assert.equal(sample(down, 'shoal_pieces_verified_total'), added.pieceCount)
    assert.equal(sample(down, 'shoal_hash_failures_total'), 0)
    assert.equal(sample(down, 'shoal_pieces_failed_total{reason="hash"}'), 0)
    assert.ok(sample(down, 'shoal_piece_round_trip_seconds_count') >= added.pieceCount, 'a round trip per piece received')
    assert.equal(sample(down, 'shoal_swarms{state="seeding"}'), 1)
    assert.equal(sample(down, 'shoal_swarms{state="downloading"}'), 0)
    assert.ok(Math.abs(sample(up, 'shoal_seeder_copies_sent_total') - swarmTotals(seeder).uploaded / added.size) < 1e-9)
    assert.equal(sample(up, 'shoal_bans_total{category="bad-pieces"}'), 0)

    // two nodes in one process: the seeder verified nothing, the leecher everything
    assert.equal(sample(up, 'shoal_pieces_verified_total'), 0)
    assert.equal(sample(up, 'shoal_downloaded_bytes_total'), 0)
    for (const samples of [up, down]) {
      const names = metricNames(samples)
      assert.ok([...names].some(n => n.startsWith('libp2p_')), 'libp2p\'s metrics are missing')
      assert.ok(names.has('process_cpu_user_seconds_total'), 'the process metrics are missing')
      assert.ok(names.has('shoal_peers'))
    }

    // a node created later (libp2p's metrics module clears its global state then) changes neither's numbers
    await ctx.nodes.start('late')
    const upAgain = await scrape(seeder)
    const downAgain = await scrape(leecher)
    assert.equal(sample(downAgain, 'shoal_pieces_verified_total'), added.pieceCount)
    assert.equal(sample(upAgain, 'shoal_uploaded_bytes_total'), swarmTotals(seeder).uploaded)
    assert.ok([...metricNames(upAgain)].some(n => n.startsWith('libp2p_')), 'the later node took the seeder\'s libp2p metrics')
    assert.ok(sample(downAgain, 'libp2p_data_transfer_bytes_total{protocol="global received"}') > 0 ||
      [...downAgain.keys()].some(k => k.startsWith('libp2p_data_transfer_bytes_total')), 'the leecher\'s transfer metrics are gone')
  })

  it('every metric the Grafana dashboard (docs/grafana-shoal.json) queries is one a node serves, and it shows every shoal_ metric', async function () {
    this.timeout(30_000)
    const dashboard = JSON.parse(await readFile(new URL('../../../docs/grafana-shoal.json', import.meta.url), 'utf8')) as Parameters<typeof dashboardMetricNames>[0]
    const node = await ctx.nodes.start('lone')
    const families = declaredFamilies(await node.metrics())
    const served = (name: string): boolean => families.has(name) || families.has(name.replace(/_(bucket|sum|count)$/, ''))
    const used = dashboardMetricNames(dashboard)
    const missing = [...used].filter(name => !served(name))
    assert.deepEqual(missing, [], 'the dashboard queries metrics no node serves')
    const unshown = [...families].filter(name => name.startsWith('shoal_') && ![...used].some(u => u.startsWith(name)))
    assert.deepEqual(unshown, [], 'shoal_ metrics the dashboard does not show')
  })

  it('a poisoner: its bad pieces are hash failures and failed pieces, and its ban is counted as bad-pieces', async function () {
    this.timeout(60_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'target.bin', 16 * MiB)
    const seeder = await ctx.nodes.start('seeder')
    const added = await seeder.add(source)
    const { pieceSize } = swarmStatus(seeder, added.contentId)
    const hostile = await HostilePeer.start({ pieces: { shape: { size: added.size, pieceSize }, behaviour: poisoner() }, manifest: manifestNotFound() })
    ctx.defer(async () => { await hostile.stop() })
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder), hostile.address] })
    await waitForConnections(leecher, [seeder.peerId, hostile.peerId])
    await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'target.bin'), source)
    assert.ok(leecher.status().bans.some(b => b.peerId === hostile.peerId), 'the poisoner was not banned')

    const m = await scrape(leecher)
    const maxBadPieces = leecher.config.limits.maxBadPieces
    assert.equal(sample(m, 'shoal_bans_total{category="bad-pieces"}'), 1)
    assert.equal(sample(m, 'shoal_bans_total{category="protocol"}'), 0)
    assert.ok(sample(m, 'shoal_hash_failures_total') >= maxBadPieces, `hash failures: ${sample(m, 'shoal_hash_failures_total')}`)
    assert.equal(sample(m, 'shoal_pieces_failed_total{reason="hash"}'), sample(m, 'shoal_hash_failures_total'))
    assert.equal(sample(m, 'shoal_pieces_verified_total'), added.pieceCount)
    assert.equal(sample(m, 'shoal_downloaded_bytes_total'), added.size)
  })
})
