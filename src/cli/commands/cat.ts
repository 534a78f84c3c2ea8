import { pipeline } from 'node:stream/promises'
import { parseContentId } from '../../core/content-id.js'
import { ApiError } from '../../errors.js'
import { UsageError } from '../usage.js'
import { http } from '../../utils/node-http.js'
import type { NodeStatus } from '../../node/shoal-node.js'
import type { CommandContext } from '../context.js'
import type { IncomingMessage } from 'node:http'

const { request } = http

/** `--range START-END` (bytes, both included), `START-` to the end, or `-N` for the last N. */
export function rangeHeader (text: string): string {
  if (!/^(\d+-\d*|-\d+)$/.test(text)) throw new UsageError(`--range: "${text}" is not START-END, START- or -COUNT (bytes, e.g. 0-1023)`)
  const [start, end] = text.split('-')
  if (start !== '' && end !== '' && Number(end) < Number(start)) throw new UsageError(`--range: ${text} ends before it starts`)
  if (start === '' && Number(end) === 0) throw new UsageError('--range: -0 selects no bytes')
  return `bytes=${text}`
}

/** `CID` or `CID/PATH` as the gateway's path (each part of PATH percent-encoded). */
export function contentPath (target: string): string {
  const slash = target.indexOf('/')
  const cid = parseContentId(slash === -1 ? target : target.slice(0, slash)).toString()
  const path = slash === -1 ? '' : target.slice(slash + 1).split('/').filter(p => p !== '').map(encodeURIComponent).join('/')
  return `/content/${cid}${path === '' ? '' : `/${path}`}`
}

/**
 * `shoal cat CID[/PATH] [--range START-END]`: the content's verified bytes to stdout, in order,
 * as they arrive, through the running node's gateway (which starts the download if need be).
 * A reader that goes away (`| head -c`) ends it quietly.
 */
export async function cat (ctx: CommandContext, target: string, flags: { range?: string }): Promise<void> {
  const range = flags.range === undefined ? undefined : rangeHeader(flags.range)
  const path = contentPath(target)
  const status = await (await ctx.client()).call<NodeStatus>('GET', '/v1/status')
  if (status.gatewayUrl === undefined) throw new ApiError('the running node has no gateway (it is older than shoal cat: restart it)')
  const res = await get(`${status.gatewayUrl}${path}`, range)
  if (res.statusCode !== 200 && res.statusCode !== 206) throw new ApiError(await refusal(res, target))
  const expected = Number(res.headers['content-length'] ?? NaN)
  let received = 0
  res.on('data', (chunk: Buffer) => { received += chunk.byteLength })
  try {
    await pipeline(res, process.stdout, { end: false })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return
    throw new ApiError(`the stream of ${target} broke off after ${received} bytes (${(err as Error).message}); see the node's log`)
  }
  if (Number.isFinite(expected) && received !== expected) throw new ApiError(`the stream of ${target} ended after ${received} of ${expected} bytes; see the node's log`)
}

async function get (url: string, range: string | undefined): Promise<IncomingMessage> {
  return await new Promise((resolve, reject) => {
    const req = request(url, { headers: range === undefined ? {} : { range } }, resolve)
    req.on('error', (err) => { reject(new ApiError(`cannot reach the node's gateway at ${url}: ${err.message}`, 503)) })
    req.end()
  })
}

/** The gateway's one-line reason, in the CLI's words. */
async function refusal (res: IncomingMessage, target: string): Promise<string> {
  let text = ''
  for await (const chunk of res as AsyncIterable<Buffer>) text += chunk.toString('utf8')
  if (res.statusCode === 416) return `--range is past the end of ${target} (${String(res.headers['content-range'] ?? '').replace(/^bytes \*\//, '')} bytes)`
  const reason = text.trim().replace(/^[^:]*: /, '')
  return reason === '' ? `the gateway answered ${res.statusCode ?? '?'}` : reason
}
