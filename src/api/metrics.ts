import { API_LIMITS } from '../config/defaults.js'
import { HttpError, requestRoute } from './requests.js'
import { listenHttp } from '../utils/http-listen.js'
import { http } from '../utils/node-http.js'
import type { Logger } from '@libp2p/interface'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'

const { STATUS_CODES, createServer } = http

/** Prometheus' text exposition format, as prom-client writes it. */
export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

/** Where the metrics come from: the node. */
export interface MetricsSource {
  /** Every metric in Prometheus' text format. */
  metrics(): Promise<string>
}

/** Answer a scrape: the node's metrics as Prometheus text. */
export async function sendMetrics (res: ServerResponse, source: MetricsSource): Promise<void> {
  const body = await source.metrics()
  res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE, 'cache-control': 'no-store' })
  res.end(body)
}

export interface MetricsServerInit {
  source: MetricsSource
  host: string
  port: number
  log: Logger
}

/**
 * The config's opt-in `metrics` listener: `GET /metrics` without a token, for a scraper that
 * cannot send one, and nothing else (no control, no status). A request from a browser page
 * (an Origin header) is refused, so a rebound DNS name cannot read it either.
 */
export class MetricsServer {
  private readonly server: Server
  private url?: string

  constructor (private readonly init: MetricsServerInit) {
    this.server = createServer({
      maxHeaderSize: API_LIMITS.maxHeaderBytes,
      headersTimeout: API_LIMITS.headersTimeout,
      requestTimeout: API_LIMITS.requestTimeout,
      connectionsCheckingInterval: API_LIMITS.timeoutCheckInterval
    }, (req, res) => { void this.handle(req, res) })
  }

  /** Its base URL, e.g. http://127.0.0.1:9464 (the metrics are at `/metrics`). */
  get address (): string {
    if (this.url === undefined) throw new Error('the metrics listener is not listening')
    return this.url
  }

  async start (): Promise<void> {
    this.url = (await listenHttp(this.server, this.init.port, this.init.host)).url
  }

  async stop (): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>(resolve => this.server.close(() => { resolve() }))
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const route = requestRoute(req.method, req.url)
      if (req.headers.origin !== undefined) return refuse(res, 403, 'the metrics listener does not answer browsers')
      if (route === 'GET /metrics') return await sendMetrics(res, this.init.source)
      if (route.endsWith(' /metrics')) return refuse(res, 405, 'use GET for /metrics')
      refuse(res, 404, 'only /metrics is served here')
    } catch (err) {
      if (err instanceof HttpError) return refuse(res, err.status, err.message)
      this.init.log.error('metrics request failed - %e', err)
      refuse(res, 500, 'internal error (see the node\'s log)')
    }
  }
}

function refuse (res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.end()
    return
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  res.end(`${STATUS_CODES[status] ?? 'Error'}: ${message}\n`)
}
