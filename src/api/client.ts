import { ApiError, ApiLocationError } from '../errors.js'
import { isUnspecifiedIp, localScopeOf } from '../utils/local-ip.js'
import { http } from '../utils/node-http.js'
import type { ApiEndpoint } from './files.js'
import type { IncomingMessage } from 'node:http'

const { request } = http

/** The CLI's side of the control API. */
export class ApiClient {
  private readonly endpoint: ApiEndpoint

  /** Refuses (ApiLocationError) an endpoint that is not plain HTTP on a loopback address: the token goes nowhere else. */
  constructor (endpoint: ApiEndpoint, private readonly configLabel: string, private readonly startCommand = `shoal start --config ${configLabel}`) {
    this.endpoint = { url: loopbackApiUrl(endpoint.url, endpoint.source), token: endpoint.token }
  }

  async call<T> (method: 'GET' | 'POST', path: string, body?: object): Promise<T> {
    const res = await this.send(method, path, body)
    const text = await readAll(res)
    let parsed: any
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new ApiError(`the node answered ${res.statusCode ?? '?'} with something that is not JSON`)
    }
    if ((res.statusCode ?? 500) >= 400) throw remoteError(parsed?.error, res.statusCode)
    return parsed as T
  }

  /** A streaming call: one JSON object per line, handed to `onEvent` as it arrives. */
  async stream (path: string, body: object, onEvent: (event: any) => void): Promise<void> {
    const res = await this.send('POST', path, body)
    if ((res.statusCode ?? 500) >= 400) {
      const text = await readAll(res)
      let parsed: any
      try { parsed = JSON.parse(text) } catch { parsed = undefined }
      throw remoteError(parsed?.error, res.statusCode)
    }
    let pending = ''
    for await (const chunk of res as AsyncIterable<Buffer>) {
      pending += chunk.toString('utf8')
      let newline: number
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline)
        pending = pending.slice(newline + 1)
        if (line.trim() !== '') onEvent(JSON.parse(line))
      }
    }
  }

  private async send (method: string, path: string, body?: object): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    return await new Promise((resolve, reject) => {
      const req = request(`${this.endpoint.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.endpoint.token}`,
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) })
        }
      }, resolve)
      req.on('error', (err: NodeJS.ErrnoException) => {
        reject(err.code === 'ECONNREFUSED' || err.code === 'ECONNRESET'
          ? new ApiError(`the node for ${this.configLabel} is not answering at ${this.endpoint.url} (is it running? start it with: ${this.startCommand})`, 503)
          : new ApiError(`cannot reach the node: ${err.message}`, 503))
      })
      req.end(payload)
    })
  }
}

/**
 * The origin of `text` if it is `http://<loopback IP>:<port>`, as a node writes it to
 * `dataDir/api`. Anything else (another host, a name to resolve, a user or a path) is refused:
 * whoever could write that file would otherwise receive the API token.
 */
export function loopbackApiUrl (text: string, source = 'dataDir/api'): string {
  let url: URL | undefined
  try { url = new URL(text) } catch {}
  const host = url?.hostname.replace(/^\[(.*)\]$/, '$1')
  const plain = url !== undefined && url.protocol === 'http:' && url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === ''
  if (url === undefined || host === undefined || !plain || localScopeOf(host) !== 'loopback' || isUnspecifiedIp(host)) {
    throw new ApiLocationError(`${source} gives the control API address "${text.slice(0, 200)}", which is not http://<loopback IP>:<port>; refusing to send the API token there (a running node writes that file at start: restart it)`)
  }
  return url.origin
}

async function readAll (res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

/** An error the node reported, with the node's name for it so callers can match on `.name`. */
export function remoteError (error: { name?: string, message?: string } | undefined, status?: number): ApiError {
  const err = new ApiError(error?.message ?? `the node answered with status ${status ?? '?'}`, status)
  if (typeof error?.name === 'string') err.name = error.name
  return err
}
