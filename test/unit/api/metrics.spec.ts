/**
 * Prometheus metrics over HTTP against a stub node: `GET /metrics` on the control API only
 * with its token, and the opt-in metrics listener, which needs none and serves nothing else.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { METRICS_CONTENT_TYPE, MetricsServer } from '../../../src/api/metrics.js'
import { ApiServer } from '../../../src/api/server.js'
import { tempDir } from '../../helpers/temp.js'
import type { ShoalNode } from '../../../src/node/shoal-node.js'

const TEXT = '# HELP shoal_peers Distinct peers\n# TYPE shoal_peers gauge\nshoal_peers 3\n'
const SECRET = 'a detail only the log may see'
const log = defaultLogger().forComponent('shoal:test:metrics')

interface Answer { status: number, type: string, body: string }

async function call (url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) })
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() }
}

describe('api/metrics', () => {
  describe('GET /metrics on the control API', () => {
    let server: ApiServer
    let url: string
    let token: string
    let cleanup: () => Promise<void>
    before(async () => {
      const dir = await tempDir('shoal-api-metrics-')
      cleanup = dir.cleanup
      const node = { metrics: async () => TEXT } as unknown as ShoalNode
      server = new ApiServer({ node, host: '127.0.0.1', port: 0, dataDir: dir.path, log, onStop: () => {} })
      await server.start()
      url = server.address
      token = (await readFile(join(dir.path, 'api.token'), 'utf8')).trim()
    })
    after(async () => {
      await server.stop()
      await cleanup()
    })

    it('with the token: the node\'s metrics as Prometheus text', async () => {
      const answer = await call(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })
      assert.equal(answer.status, 200)
      assert.equal(answer.type, METRICS_CONTENT_TYPE)
      assert.match(answer.type, /^text\/plain; version=0\.0\.4/)
      assert.equal(answer.body, TEXT)
    })

    it('without the token, or with a wrong one: 401 and no metrics', async () => {
      for (const headers of [{}, { authorization: `Bearer ${'f'.repeat(64)}` }, { authorization: token }]) {
        const answer = await call(`${url}/metrics`, { headers })
        assert.equal(answer.status, 401)
        assert.doesNotMatch(answer.body, /shoal_peers/)
      }
    })

    it('another method: 405 naming GET', async () => {
      const answer = await call(`${url}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
      assert.equal(answer.status, 405)
      assert.match(answer.body, /use GET/)
    })
  })

  describe('the metrics listener', () => {
    let server: MetricsServer
    let failing = false
    before(async () => {
      const source = { metrics: async () => { if (failing) throw new Error(SECRET); return TEXT } }
      server = new MetricsServer({ source, host: '127.0.0.1', port: 0, log })
      await server.start()
    })
    after(async () => { await server.stop() })

    it('answers GET /metrics without a token', async () => {
      assert.match(server.address, /^http:\/\/127\.0\.0\.1:\d+$/)
      const answer = await call(`${server.address}/metrics`)
      assert.equal(answer.status, 200)
      assert.equal(answer.type, METRICS_CONTENT_TYPE)
      assert.equal(answer.body, TEXT)
      assert.equal((await call(`${server.address}/metrics?name=x`)).status, 200, 'a query is ignored, as a scraper may send one')
    })

    it('serves nothing but /metrics: other paths 404, other methods 405, browser pages 403', async () => {
      for (const path of ['/', '/v1/status', '/v1/stop', '/metrics/', '/metricsx', '/dashboard']) {
        assert.equal((await call(`${server.address}${path}`)).status, 404, path)
      }
      assert.equal((await call(`${server.address}/v1/stop`, { method: 'POST' })).status, 404)
      assert.equal((await call(`${server.address}/metrics`, { method: 'POST' })).status, 405)
      assert.equal((await call(`${server.address}/metrics`, { method: 'DELETE' })).status, 405)
      const fromPage = await call(`${server.address}/metrics`, { headers: { origin: 'http://rebound.example' } })
      assert.equal(fromPage.status, 403)
      assert.doesNotMatch(fromPage.body, /shoal_peers/)
    })

    it('a URL past the cap: 414; a failing node: 500 with nothing of the error', async () => {
      assert.equal((await call(`${server.address}/metrics?${'a'.repeat(2000)}`)).status, 414)
      failing = true
      try {
        const answer = await call(`${server.address}/metrics`)
        assert.equal(answer.status, 500)
        assert.doesNotMatch(answer.body, new RegExp(SECRET))
      } finally {
        failing = false
      }
    })
  })
})
