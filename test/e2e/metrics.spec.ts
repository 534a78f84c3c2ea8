/**
 * Prometheus metrics from real `shoal start` processes (issue 14, item 3): `GET /metrics` on
 * the API address with the token (401 without), whose counters agree with `status --json`
 * after a transfer; and the opt-in `metrics` listener, which answers without a token and
 * serves nothing but /metrics.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parsePrometheus, sample } from '../helpers/prometheus.js'
import { randomFile, tempDir } from '../helpers/temp.js'
import { ShoalProcess, explain, killAll, runShoal, writeConfig } from './helpers/shoal-process.js'
import type { NodeStatus } from './helpers/shoal-process.js'

/** The control API's address and token, from the files `shoal start` writes in dataDir. */
async function apiOf (node: ShoalProcess): Promise<{ url: string, token: string }> {
  const [url, token] = await Promise.all([readFile(join(node.dataDir, 'api'), 'utf8'), readFile(join(node.dataDir, 'api.token'), 'utf8')])
  return { url: url.trim(), token: token.trim() }
}

async function fetchText (url: string, init: RequestInit = {}): Promise<{ status: number, type: string, body: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) })
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() }
}

function totals (status: NodeStatus): { uploaded: number, downloaded: number } {
  return {
    uploaded: status.swarms.reduce((n, s) => n + s.uploaded, 0),
    downloaded: status.swarms.reduce((n, s) => n + s.downloaded, 0)
  }
}

describe('e2e: metrics', function () {
  this.timeout(90_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let seeder: ShoalProcess
  let leecher: ShoalProcess
  let metricsUrl: string
  let contentId: string

  before(async () => {
    dir = await tempDir('shoal-e2e-metrics-')
    const source = join(dir.path, 'file.bin')
    await randomFile(source, 3 * 1024 * 1024 + 1234)
    // port 0: any free port, said on the start's output
    seeder = await ShoalProcess.create(join(dir.path, 'seeder'), { metrics: { port: 0 } })
    const line = /^metrics \(no token\): (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m.exec(seeder.stdout)
    assert.ok(line !== null, `no metrics line in the start's output:\n${seeder.stdout}`)
    metricsUrl = line[1]
    contentId = await seeder.add(source)
    const address = (await seeder.status()).addresses[0]
    leecher = await ShoalProcess.create(join(dir.path, 'leecher'), { bootstrap: [address] })
    const r = await leecher.shoal('get', contentId, '--output', join(dir.path, 'out.bin'), '--timeout', '60s')
    assert.equal(r.code, 0, explain(r))
  })
  after(async () => {
    await killAll()
    await dir.cleanup()
  })

  it('GET /metrics with the token: Prometheus text whose counters agree with status --json after a transfer', async () => {
    const { url, token } = await apiOf(leecher)
    const answer = await fetchText(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(answer.status, 200, answer.body)
    assert.match(answer.type, /^text\/plain; version=0\.0\.4/)
    const metrics = parsePrometheus(answer.body)
    const status = await leecher.status()
    const swarm = status.swarms.find(s => s.contentId === contentId)
    assert.ok(swarm !== undefined)
    assert.equal(sample(metrics, 'shoal_downloaded_bytes_total'), totals(status).downloaded)
    assert.equal(sample(metrics, 'shoal_downloaded_bytes_total'), swarm.size)
    assert.equal(sample(metrics, 'shoal_pieces_verified_total'), swarm.pieceCount)
    assert.equal(sample(metrics, 'shoal_swarms{state="seeding"}'), 1)
    assert.ok(sample(metrics, 'shoal_piece_round_trip_seconds_count') >= swarm.pieceCount)
    assert.ok([...metrics.keys()].some(k => k.startsWith('libp2p_')), 'libp2p\'s metrics are missing')
    assert.ok(metrics.has('process_cpu_user_seconds_total'), 'the process metrics are missing')
  })

  it('GET /metrics without the token, or with a wrong one: 401', async () => {
    const { url } = await apiOf(leecher)
    assert.equal((await fetchText(`${url}/metrics`)).status, 401)
    assert.equal((await fetchText(`${url}/metrics`, { headers: { authorization: `Bearer ${'0'.repeat(64)}` } })).status, 401)
  })

  it('the metrics listener answers without a token: the seeder\'s bytes sent agree with status --json', async () => {
    const answer = await fetchText(metricsUrl)
    assert.equal(answer.status, 200, answer.body)
    assert.match(answer.type, /^text\/plain; version=0\.0\.4/)
    const metrics = parsePrometheus(answer.body)
    const status = await seeder.status()
    assert.equal(sample(metrics, 'shoal_uploaded_bytes_total'), totals(status).uploaded)
    assert.ok(sample(metrics, 'shoal_uploaded_bytes_total') >= status.swarms[0].size)
    assert.ok(sample(metrics, 'shoal_seeder_copies_sent_total') >= 1)
  })

  it('the metrics listener serves nothing but /metrics, token or not, and no browser page', async () => {
    const base = metricsUrl.replace(/\/metrics$/, '')
    const { token } = await apiOf(seeder)
    const auth = { authorization: `Bearer ${token}` }
    assert.equal((await fetchText(`${base}/v1/status`)).status, 404)
    assert.equal((await fetchText(`${base}/v1/status`, { headers: auth })).status, 404)
    assert.equal((await fetchText(`${base}/v1/stop`, { method: 'POST', headers: auth })).status, 404)
    assert.equal((await fetchText(`${base}/`)).status, 404)
    assert.equal((await fetchText(metricsUrl, { method: 'POST' })).status, 405)
    assert.equal((await fetchText(metricsUrl, { headers: { origin: 'http://evil.example' } })).status, 403)
    assert.equal((await seeder.status()).swarms.length, 1, 'the node is still running')
  })

  it('a metrics port in use stops the start with one line naming metrics.port; off loopback a warning', async () => {
    const busyPort = Number(new URL(metricsUrl).port)
    const config = await writeConfig(join(dir.path, 'busy'), { metrics: { port: busyPort } })
    const r = await runShoal(['start', '--config', config])
    assert.notEqual(r.code, 0, explain(r))
    assert.match(r.stderr, new RegExp(`cannot listen on 127\\.0\\.0\\.1:${busyPort} for the metrics: .*"metrics\\.port"`), explain(r))
    assert.doesNotMatch(r.stderr, /^\s+at /m, explain(r))

    const open = await ShoalProcess.create(join(dir.path, 'open'), { metrics: { host: '0.0.0.0', port: 0 } })
    assert.match(open.stderr, /warning: the metrics listener on http:\/\/0\.0\.0\.0:\d+ answers anyone who can reach it, without a token/)
  })
})
