import { randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'
import { rm } from 'node:fs/promises'
import { isAbsolute } from 'node:path'
import { isUserFacing } from '../errors.js'
import { writeApiFiles, apiFilePaths } from './files.js'
import type { ShoalNode } from '../node/shoal-node.js'
import type { GetProgressEvent } from '../swarm/types.js'
import type { Logger } from '@libp2p/interface'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Largest request body the API reads; every request is a small JSON object. */
const MAX_BODY = 64 * 1024
/** ms between progress lines streamed to a `get`. */
const PROGRESS_INTERVAL = 100

export interface ApiServerInit {
  node: ShoalNode
  host: string
  port: number
  dataDir: string
  log: Logger
  /** Called when a client asks the node to stop. */
  onStop(): void
}

class HttpError extends Error {
  static override name = 'HttpError'
  constructor (readonly status: number, message: string) {
    super(message)
    this.name = 'HttpError'
  }
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

  constructor (init: ApiServerInit) {
    this.init = init
    this.server = createServer((req, res) => { void this.handle(req, res) })
  }

  get address (): string {
    if (this.url === undefined) throw new HttpError(500, 'the API is not listening')
    return this.url
  }

  async start (): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(this.init.port, this.init.host, () => { this.server.off('error', reject); resolve() })
    })
    const { address, port } = this.server.address() as AddressInfo
    this.url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`
    await writeApiFiles(this.init.dataDir, this.url, this.token)
  }

  async stop (): Promise<void> {
    const { api, token } = apiFilePaths(this.init.dataDir)
    await Promise.all([rm(api, { force: true }), rm(token, { force: true })])
    this.server.closeAllConnections()
    await new Promise<void>(resolve => this.server.close(() => { resolve() }))
  }

  private async handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (!this.authorized(req)) throw new HttpError(401, 'missing or wrong API token')
      await this.route(req, res)
    } catch (err) {
      this.fail(res, err)
    }
  }

  private async route (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path, query = ''] = (req.url ?? '').split('?', 2)
    const route = `${req.method ?? ''} ${path}`
    switch (route) {
      case 'GET /v1/status':
        this.json(res, 200, this.init.node.status({ peers: new URLSearchParams(query).get('peers') === '1' }))
        return
      case 'POST /v1/add': {
        const body = await readJson(req)
        const path = requireString(body, 'path')
        if (!isAbsolute(path)) throw new HttpError(400, 'path must be absolute')
        this.json(res, 200, await this.init.node.add(path))
        return
      }
      case 'POST /v1/get':
        await this.get(req, res)
        return
      case 'POST /v1/stop':
        this.json(res, 200, { stopping: true })
        res.once('finish', () => { this.init.onStop() })
        return
      default:
        throw new HttpError(404, `no such endpoint: ${route}`)
    }
  }

  /** Streams progress as one JSON object per line, ending with `done` or `error`. */
  private async get (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req)
    const contentId = requireString(body, 'contentId')
    const output = optionalString(body, 'output')
    const outputDir = optionalString(body, 'outputDir')
    if ((output !== undefined && !isAbsolute(output)) || (outputDir !== undefined && !isAbsolute(outputDir))) {
      throw new HttpError(400, 'output paths must be absolute')
    }
    const timeout = body.timeout
    if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0)) {
      throw new HttpError(400, 'timeout must be a positive integer of milliseconds')
    }
    res.writeHead(200, { 'content-type': 'application/x-ndjson' })
    const send = (event: object): void => { res.write(`${JSON.stringify(event)}\n`) }
    // progress lines at most every PROGRESS_INTERVAL: one per piece would cost the node a
    // write per piece on its busiest thread
    let lastProgress = 0
    const progress = (event: GetProgressEvent): void => {
      if (event.type === 'shoal:get:progress') {
        const now = Date.now()
        if (now - lastProgress < PROGRESS_INTERVAL && event.piecesHave < event.pieceCount) return
        lastProgress = now
      }
      send(event)
    }
    const abort = new AbortController()
    res.once('close', () => { abort.abort() })
    try {
      const path = await this.init.node.get(contentId, {
        output,
        outputDir,
        force: body.force === true,
        sequential: body.sequential === true,
        discoveryTimeout: timeout,
        signal: abort.signal,
        onProgress: progress
      })
      send({ type: 'done', path })
    } catch (err) {
      send({ type: 'error', error: describe(err) })
    }
    res.end()
  }

  private authorized (req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? ''
    const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '')
    const expected = Buffer.from(this.token)
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  private json (res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' })
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

async function readJson (req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > MAX_BODY) throw new HttpError(413, 'request too large')
    chunks.push(chunk)
  }
  let body: unknown
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new HttpError(400, 'request body is not JSON')
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'request body must be a JSON object')
  return body as Record<string, unknown>
}

function requireString (body: Record<string, unknown>, key: string): string {
  const value = body[key]
  if (typeof value !== 'string' || value.length === 0 || value.length > 4096) throw new HttpError(400, `"${key}" must be a non-empty string`)
  return value
}

function optionalString (body: Record<string, unknown>, key: string): string | undefined {
  return body[key] === undefined ? undefined : requireString(body, key)
}
