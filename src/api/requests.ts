/**
 * What the control API accepts, checked before anything is done: sizes, content type, and
 * each endpoint's body. Every refusal is an HttpError with a status and a plain message
 * that never echoes the request back.
 */
import { isAbsolute } from 'node:path'
import { API_LIMITS } from '../config/defaults.js'
import type { IncomingMessage } from 'node:http'

export class HttpError extends Error {
  static override name = 'HttpError'
  constructor (readonly status: number, message: string) {
    super(message)
    this.name = 'HttpError'
  }
}

export interface AddRequest {
  path: string
  /** Follow symbolic links inside a folder (they are skipped otherwise). */
  followSymlinks: boolean
}

export interface GetRequest {
  /** As sent; parsed where the get starts, so a bad id is reported in the get's own stream. */
  contentId: string
  output?: string
  outputDir?: string
  force: boolean
  /** Fetch pieces in order rather than rarest first. */
  sequential: boolean
  /** ms to look for a peer with the content (the body's `timeout`, named as GetOptions names it). */
  discoveryTimeout?: number
  /** Fetch only these files or folders of the content. */
  only?: string[]
}

export interface SelectRequest {
  contentId: string
  /** The files and folders to fetch; absent or null: every file. */
  only?: string[]
}

export interface CancelRequest {
  contentId: string
  /** Delete what the download made. */
  remove: boolean
}

/** The method and path of a request, or an HttpError for a URL that is too long. */
export function requestRoute (method: string | undefined, url: string | undefined): string {
  const target = url ?? ''
  if (target.length > API_LIMITS.maxUrlLength) throw new HttpError(414, 'request URL too long')
  return `${method ?? ''} ${target.split('?')[0]}`
}

/** The query of `GET /v1/status`: `peers=1` asks for every swarm's peers, `files=1` for every file's progress. */
export function statusQuery (url: string | undefined): { peers: boolean, files: boolean } {
  const query = new URLSearchParams((url ?? '').split('?', 2)[1] ?? '')
  return { peers: query.get('peers') === '1', files: query.get('files') === '1' }
}

/** A request's body as a JSON object, at most API_LIMITS.maxBodyBytes, sent as application/json. */
export async function readJson (req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  if (type !== 'application/json') throw new HttpError(415, 'the request body must be application/json')
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > API_LIMITS.maxBodyBytes) throw new HttpError(413, 'request too large')
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > API_LIMITS.maxBodyBytes) throw new HttpError(413, 'request too large')
    chunks.push(chunk)
  }
  return parseJsonBody(Buffer.concat(chunks).toString('utf8'))
}

export function parseJsonBody (text: string): Record<string, unknown> {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw new HttpError(400, 'request body is not JSON')
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'request body must be a JSON object')
  return body as Record<string, unknown>
}

export function parseAddRequest (body: Record<string, unknown>): AddRequest {
  const path = requireString(body, 'path')
  if (!isAbsolute(path)) throw new HttpError(400, 'path must be absolute')
  if (body.followSymlinks !== undefined && typeof body.followSymlinks !== 'boolean') throw new HttpError(400, '"followSymlinks" must be true or false')
  return { path, followSymlinks: body.followSymlinks === true }
}

export function parseGetRequest (body: Record<string, unknown>): GetRequest {
  const contentId = requireString(body, 'contentId')
  const output = optionalString(body, 'output')
  const outputDir = optionalString(body, 'outputDir')
  if ((output !== undefined && !isAbsolute(output)) || (outputDir !== undefined && !isAbsolute(outputDir))) {
    throw new HttpError(400, 'output paths must be absolute')
  }
  const timeout = body.timeout
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isSafeInteger(timeout) || timeout <= 0)) {
    throw new HttpError(400, 'timeout must be a positive integer of milliseconds')
  }
  for (const key of ['force', 'sequential']) {
    if (body[key] !== undefined && typeof body[key] !== 'boolean') throw new HttpError(400, `"${key}" must be true or false`)
  }
  const only = optionalPaths(body, 'only')
  return { contentId, output, outputDir, force: body.force === true, sequential: body.sequential === true, discoveryTimeout: timeout, ...(only === undefined ? {} : { only }) }
}

/** `POST /v1/ticket/dial`: `{ "ticket": "shoal1…" }` (decoded, and refused if it is none, by ticket-dial). */
export function parseTicketDialRequest (body: Record<string, unknown>): { ticket: string } {
  return { ticket: requireString(body, 'ticket') }
}

/** `POST /v1/select`: the files a running download fetches from now on. */
export function parseSelectRequest (body: Record<string, unknown>): SelectRequest {
  const contentId = requireString(body, 'contentId')
  const only = optionalPaths(body, 'only')
  return only === undefined ? { contentId } : { contentId, only }
}

/** A non-empty array of paths within the content, or absent (null too). */
function optionalPaths (body: Record<string, unknown>, key: string): string[] | undefined {
  const value = Object.hasOwn(body, key) ? body[key] : undefined
  if (value === undefined || value === null) return undefined
  if (!Array.isArray(value) || value.length === 0) throw new HttpError(400, `"${key}" must be a non-empty array of paths`)
  return value.map((path: unknown) => requireString({ [key]: path }, key))
}

/** `POST /v1/connect`: the peer's address, checked by the node (it names what is wrong with it). */
export function parseConnectRequest (body: Record<string, unknown>): { address: string } {
  return { address: requireString(body, 'address') }
}

export function parseCancelRequest (body: Record<string, unknown>): CancelRequest {
  const contentId = requireString(body, 'contentId')
  if (body.remove !== undefined && typeof body.remove !== 'boolean') throw new HttpError(400, '"remove" must be true or false')
  return { contentId, remove: body.remove === true }
}

function requireString (body: Record<string, unknown>, key: string): string {
  const value = Object.hasOwn(body, key) ? body[key] : undefined
  if (typeof value !== 'string' || value.length === 0 || value.length > API_LIMITS.maxStringLength || value.includes('\0')) {
    throw new HttpError(400, `"${key}" must be a non-empty string`)
  }
  return value
}

function optionalString (body: Record<string, unknown>, key: string): string | undefined {
  return Object.hasOwn(body, key) && body[key] !== undefined ? requireString(body, key) : undefined
}
