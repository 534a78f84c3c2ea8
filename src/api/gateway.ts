import { isIP } from 'node:net'
import { GATEWAY } from '../config/defaults.js'
import { parseContentId } from '../core/content-id.js'
import { isUserFacing } from '../errors.js'
import { findEntry } from './gateway-paths.js'
import { SAFETY_HEADERS, sendFile, sendListing } from './gateway-response.js'
import { listenHttp } from '../utils/http-listen.js'
import { http } from '../utils/node-http.js'
import type { StreamedContent } from '../swarm/streams.js'
import type { Logger } from '@libp2p/interface'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { CID } from 'multiformats/cid'

const { STATUS_CODES, createServer } = http

/** Where the gateway's content comes from: the node's content streams. */
export interface GatewaySource {
  /** The content, its download started first if it is not here; rejects if it cannot be found. */
  open(cid: CID, signal: AbortSignal): Promise<StreamedContent>
}

export interface GatewayServerInit {
  source: GatewaySource
  host: string
  port: number
  log: Logger
}

class GatewayError extends Error {
  constructor (readonly status: number, message: string) { super(message) }
}

/**
 * The read-only HTTP gateway: `GET|HEAD /content/<cid>[/<path>]`, verified bytes with Range.
 * Safe on a desktop: only requests naming its own address in Host (no DNS rebinding), no
 * index of what the node holds, capped concurrency and request sizes, and served content
 * sandboxed (it never runs as a page of the gateway's origin).
 */
export class GatewayServer {
  private readonly server: Server
  private url?: string
  private port = 0
  private active = 0

  constructor (private readonly init: GatewayServerInit) {
    this.server = createServer({
      maxHeaderSize: GATEWAY.maxHeaderBytes,
      headersTimeout: GATEWAY.headersTimeout,
      requestTimeout: GATEWAY.requestTimeout,
      keepAliveTimeout: GATEWAY.keepAliveTimeout,
      connectionsCheckingInterval: 1000
    }, (req, res) => { void this.handle(req, res) })
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => { refuseMalformed(err, socket) })
  }

  /** Its base URL, e.g. http://127.0.0.1:41234 (content is under /content/). */
  get address (): string {
    if (this.url === undefined) throw new Error('the gateway is not listening')
    return this.url
  }

  async start (): Promise<void> {
    const listening = await listenHttp(this.server, this.init.port, this.init.host)
    this.port = listening.port
    this.url = listening.url
  }

  async stop (): Promise<void> {
    if (!this.server.listening) return
    this.server.closeAllConnections()
    await new Promise<void>(resolve => this.server.close(() => { resolve() }))
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const abort = new AbortController()
    res.once('close', () => { abort.abort() })
    if (this.active >= GATEWAY.maxConcurrentRequests) {
      refuse(res, new GatewayError(503, 'too many requests at once'), { 'retry-after': '1' })
      return
    }
    this.active++
    try {
      await this.serve(req, res, abort.signal)
    } catch (err) {
      if (!abort.signal.aborted && !(err instanceof GatewayError) && !isUserFacing(err)) this.init.log.error('gateway request failed - %e', err)
      refuse(res, err)
    } finally {
      this.active--
    }
  }

  private async serve (req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    if (!this.isOwnHost(req.headers.host)) throw new GatewayError(421, 'this gateway answers only requests for its own address')
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new GatewayError(405, 'the gateway is read-only: GET and HEAD')
    const { cid, path } = parseContentPath(req.url ?? '')
    const content = await this.open(cid, signal)
    const entry = findEntry(content.manifest, path)
    if (entry === undefined) throw new GatewayError(404, `no such file in ${content.contentId}`)
    if ('folder' in entry) {
      sendListing(req, res, content.contentId, entry.folder, entry.entries.slice(0, GATEWAY.maxListing))
      return
    }
    const name = entry.file.path === '' ? content.manifest.name : entry.file.path
    if (!content.fetches(entry.file.offset, entry.file.offset + entry.file.size)) {
      throw new GatewayError(409, `"${name}" needs pieces shared with files this node does not fetch of ${content.contentId} (a get --only): add them with shoal select, or get the whole content`)
    }
    await sendFile(req, res, content, entry.file, name, signal)
  }

  private async open (cid: CID, signal: AbortSignal): Promise<StreamedContent> {
    try {
      return await this.init.source.open(cid, signal)
    } catch (err) {
      if ((err as Error).name === 'NoProvidersError') throw new GatewayError(404, (err as Error).message)
      throw err
    }
  }

  /**
   * A rebinding attack names a host of its own that resolves to us: only an IP literal,
   * `localhost` or the configured host, with our port, is ours.
   */
  private isOwnHost (host: string | undefined): boolean {
    if (host === undefined) return false
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d+)$/.exec(host)
    if (match === null || Number(match[2]) !== this.port) return false
    const name = match[1].replace(/^\[|\]$/g, '').toLowerCase()
    return isIP(name) !== 0 || name === 'localhost' || name === this.init.host.toLowerCase()
  }
}

/** `/content/<cid>` or `/content/<cid>/<path>`; anything else is 404 (there is no index). */
export function parseContentPath (url: string): { cid: CID, path: string } {
  if (url.length > GATEWAY.maxUrlLength) throw new GatewayError(414, 'the URL is too long')
  const pathname = url.split('?')[0]
  const match = /^\/content\/([^/]+)(?:\/(.*))?$/.exec(pathname)
  if (match === null) throw new GatewayError(404, 'not found: content is at /content/<content id>[/<path>]')
  let cid: CID
  let parts: string[]
  try {
    cid = parseContentId(decodeURIComponent(match[1]))
    parts = (match[2] ?? '').split('/').filter(p => p !== '').map(p => decodeURIComponent(p))
  } catch (err) {
    throw new GatewayError(400, isUserFacing(err) ? err.message : 'the path is not valid percent-encoding')
  }
  return { cid, path: parts.join('/') }
}

function refuse (res: ServerResponse, err: unknown, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    // a response cut short: its length tells the client it is incomplete
    res.destroy()
    return
  }
  const status = err instanceof GatewayError ? err.status : isUserFacing(err) ? 503 : 500
  const message = err instanceof GatewayError || isUserFacing(err) ? (err as Error).message : 'internal error (see the node\'s log)'
  const headers = { ...SAFETY_HEADERS, ...extra, 'content-type': 'text/plain; charset=utf-8', ...(status === 405 ? { allow: 'GET, HEAD' } : {}) }
  res.writeHead(status, headers)
  res.end(`${STATUS_CODES[status] ?? 'Error'}: ${message}\n`)
}

function refuseMalformed (err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400
  const body = `${STATUS_CODES[status] ?? 'Error'}\n`
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: text/plain; charset=utf-8\r\nx-content-type-options: nosniff\r\ncontent-security-policy: sandbox\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`)
}
