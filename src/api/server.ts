import { randomBytes, timingSafeEqual } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { API_LIMITS } from '../config/defaults.js'
import { parseContentId } from '../core/content-id.js'
import { isUserFacing } from '../errors.js'
import { DashboardRoutes } from './dashboard/routes.js'
import { writeApiFiles, apiFilePaths } from './files.js'
import { sendMetrics } from './metrics.js'
import { OPENAPI } from './openapi.js'
import { dialTicket } from './ticket-dial.js'
import { HttpError, parseAddRequest, parseCancelRequest, parseConnectRequest, parseGetRequest, parseSelectRequest, parseTicketDialRequest, readJson, requestRoute, statusQuery } from './requests.js'
import { listenHttp } from '../utils/http-listen.js'
import { http } from '../utils/node-http.js'
import type { Caller } from './dashboard/routes.js'
import type { AddOptions, AddResult, CancelOptions, CancelResult, GetOptions, GetProgressEvent } from '../swarm/types.js'
import type { Logger } from '@libp2p/interface'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { CID } from 'multiformats/cid'

const { STATUS_CODES, createServer } = http

/** What the control API drives: a running node (node/'s ShoalNode is one). */
export interface ApiNode {
  /** The node's status, sent as it is: `status --json` shows these fields. */
  status(options: { peers?: boolean, files?: boolean }): object
  add(path: string, options?: AddOptions): Promise<AddResult>
  /** Resolves with the path the content was written to. */
  get(contentId: CID, options: GetOptions): Promise<string>
  /** Dial a peer by a multiaddr ending in /p2p/<peer id>; resolves with the peer reached. */
  connect(address: string, options: { signal?: AbortSignal }): Promise<{ peerId: string, address: string }>
  /** Stop and forget a swarm; UnknownContentError if there is none. */
  cancel(contentId: CID, options: CancelOptions): Promise<CancelResult>
  /** Change which files a download fetches (undefined: every file); resolves with the selection now. */
  select(contentId: CID, only: string[] | undefined): Promise<string[] | undefined>
  /** Every metric in Prometheus' text format (`GET /metrics`). */
  metrics(): Promise<string>
  /** A swarm's pieces, a byte each (core/piece-map), for the dashboard; undefined for unknown content. */
  pieceMap?(contentId: string): Uint8Array | undefined
}

export interface ApiServerInit {
  node: ApiNode
  host: string
  port: number
  dataDir: string
  log: Logger
  /** Called when a client asks the node to stop. */
  onStop(): void
  /** ms for a client to send its headers, and its whole request. @default API_LIMITS */
  timeouts?: { headers: number, request: number }
}

/** The endpoints and the one method each takes. */
const ROUTES: Record<string, string> = {
  '/v1/status': 'GET',
  '/v1/add': 'POST',
  '/v1/get': 'POST',
  '/v1/stop': 'POST',
  '/v1/connect': 'POST',
  '/v1/cancel': 'POST',
  '/v1/select': 'POST',
  '/metrics': 'GET',
  '/v1/openapi.json': 'GET',
  '/v1/ticket/dial': 'POST',
  '/v1/events': 'GET',
  '/v1/dashboard/login-code': 'POST'
}

/**
 * The local control API the CLI talks to: loopback only, a bearer token from a 0600 file in
 * dataDir, small JSON requests, and errors that say what is wrong without internals.
 */
export class ApiServer {
  private readonly init: ApiServerInit
  private readonly token = randomBytes(32).toString('hex')
  private readonly server: Server
  private url?: string
  /** The web dashboard: its login, page, event stream and piece maps. */
  private readonly dashboard: DashboardRoutes

  constructor (init: ApiServerInit) {
    this.init = init
    this.dashboard = new DashboardRoutes({ node: init.node, origin: () => this.address })
    this.server = createServer({
      maxHeaderSize: API_LIMITS.maxHeaderBytes,
      headersTimeout: init.timeouts?.headers ?? API_LIMITS.headersTimeout,
      requestTimeout: init.timeouts?.request ?? API_LIMITS.requestTimeout,
      connectionsCheckingInterval: API_LIMITS.timeoutCheckInterval
    }, (req, res) => { void this.handle(req, res) })
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => { refuseMalformed(err, socket) })
    // a client waiting for "100 Continue" gets it only with the right token
    this.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      if (this.authorized(req)) res.writeContinue()
      void this.handle(req, res)
    })
    // an Expect other than 100-continue: node would answer a bare 417 itself
    this.server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) => { this.fail(res, new HttpError(417, 'unsupported Expect header')) })
  }

  get address (): string {
    if (this.url === undefined) throw new HttpError(500, 'the API is not listening')
    return this.url
  }

  async start (): Promise<void> {
    this.url = (await listenHttp(this.server, this.init.port, this.init.host)).url
    await writeApiFiles(this.init.dataDir, this.url, this.token)
  }

  async stop (): Promise<void> {
    const { api, token } = apiFilePaths(this.init.dataDir)
    await Promise.all([rm(api, { force: true }), rm(token, { force: true })])
    this.dashboard.close()
    this.server.closeAllConnections()
    await new Promise<void>(resolve => this.server.close(() => { resolve() }))
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const route = requestRoute(req.method, req.url)
      if (this.dashboard.isLogin(route)) {
        await this.dashboard.login(req, res)
        return
      }
      const caller = this.caller(req)
      if (caller === undefined) {
        if (this.dashboard.refuse(route, res)) return
        throw new HttpError(401, 'missing or wrong API token')
      }
      // a browser page must not drive the node, whatever it learnt (DNS rebinding, CSRF):
      // only the dashboard's own page, with its session, at the API's own address and origin
      if (caller === 'session') this.dashboard.checkBrowser(req)
      else if (req.headers.origin !== undefined) throw new HttpError(403, 'the control API does not answer browsers')
      if (await this.dashboard.route(route, req, res, caller)) return
      await this.route(route, req, res)
    } catch (err) {
      this.fail(res, err)
    }
  }

  private async route (route: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    switch (route) {
      case 'GET /v1/status':
        this.json(res, 200, this.init.node.status(statusQuery(req.url)))
        return
      case 'POST /v1/add': {
        const { path, followSymlinks } = parseAddRequest(await readJson(req))
        this.json(res, 200, await this.init.node.add(path, followSymlinks ? { followSymlinks } : {}))
        return
      }
      case 'POST /v1/get':
        await this.get(req, res)
        return
      case 'POST /v1/connect': {
        const { address } = parseConnectRequest(await readJson(req))
        const abort = new AbortController()
        res.once('close', () => { abort.abort() })
        this.json(res, 200, await this.init.node.connect(address, { signal: abort.signal }))
        return
      }
      case 'POST /v1/cancel': {
        const { contentId, remove } = parseCancelRequest(await readJson(req))
        this.json(res, 200, await this.init.node.cancel(parseContentId(contentId), { remove }))
        return
      }
      case 'POST /v1/ticket/dial': {
        const abort = new AbortController()
        res.once('close', () => { abort.abort() })
        this.json(res, 200, await dialTicket(this.init.node, parseTicketDialRequest(await readJson(req)).ticket, abort.signal))
        return
      }
      case 'POST /v1/select': {
        const { contentId, only } = parseSelectRequest(await readJson(req))
        const selected = await this.init.node.select(parseContentId(contentId), only)
        this.json(res, 200, { contentId, ...(selected === undefined ? {} : { only: selected }) })
        return
      }
      case 'GET /metrics':
        await sendMetrics(res, this.init.node)
        return
      case 'GET /v1/openapi.json':
        this.json(res, 200, OPENAPI)
        return
      case 'POST /v1/stop':
        this.json(res, 200, { stopping: true })
        res.once('finish', () => { this.init.onStop() })
        return
      default: {
        const path = route.slice(route.indexOf(' ') + 1)
        if (Object.hasOwn(ROUTES, path)) throw new HttpError(405, `use ${ROUTES[path]} for this endpoint`)
        throw new HttpError(404, 'no such endpoint')
      }
    }
  }

  /** Streams progress as one JSON object per line, ending with `done` or `error`. */
  private async get (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = parseGetRequest(await readJson(req))
    res.writeHead(200, { 'content-type': 'application/x-ndjson' })
    const send = (event: object): void => { res.write(`${JSON.stringify(event)}\n`) }
    // progress lines at most every API_LIMITS.progressInterval: one per piece would cost
    // the node a write per piece on its busiest thread
    let lastProgress = 0
    let lastPieces = 0
    const progress = (event: GetProgressEvent): void => {
      if (event.type === 'shoal:get:progress') {
        const now = Date.now()
        // the first piece's line goes out at once: it is the time-to-first-byte a caller sees
        const first = event.piecesHave > 0 && lastPieces === 0
        lastPieces = event.piecesHave
        if (!first && now - lastProgress < API_LIMITS.progressInterval && event.bytesHave < event.size) return
        lastProgress = now
      }
      send(event)
    }
    const abort = new AbortController()
    res.once('close', () => { abort.abort() })
    try {
      const { contentId, ...options } = request
      const path = await this.init.node.get(parseContentId(contentId), { ...options, signal: abort.signal, onProgress: progress })
      send({ type: 'done', path })
    } catch (err) {
      send({ type: 'error', error: describe(err) })
    }
    res.end()
  }

  /** The bearer token (the CLI) first, else the dashboard's session cookie. */
  private caller (req: IncomingMessage): Caller | undefined {
    if (this.authorized(req)) return 'token'
    return this.dashboard.hasSession(req) ? 'session' : undefined
  }

  private authorized (req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? ''
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '')
    const expected = Buffer.from(this.token)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  private json (res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
    res.end(JSON.stringify(body))
  }

  private fail (res: ServerResponse, err: unknown): void {
    const status = err instanceof HttpError ? err.status : isUserFacing(err) ? 400 : 500
    if (status === 500) this.init.log.error('API request failed - %e', err)
    if (res.headersSent) {
      res.end()
      return
    }
    this.json(res, status, { error: describe(err) })
  }
}

/** What a client may see of an error: its name and message for known errors, nothing more otherwise. */
function describe (err: unknown): { name: string, message: string } {
  if (err instanceof HttpError || isUserFacing(err)) return { name: (err as Error).name, message: (err as Error).message }
  return { name: 'InternalError', message: 'internal error (see the node\'s log)' }
}

/**
 * A request node's HTTP parser could not read (bad syntax, headers too large, too slow):
 * a plain JSON error and the connection closed, as for every other refusal.
 */
function refuseMalformed (err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
  const body = JSON.stringify({ error: { name: 'HttpError', message: status === 431 ? 'request headers too large' : status === 408 ? 'request took too long' : 'malformed request' } })
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
}
