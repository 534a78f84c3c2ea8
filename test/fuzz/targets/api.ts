/**
 * The control API: every input goes through the request parsers (a typed request or an
 * HttpError, nothing else), and one in REAL_EVERY is also sent as raw bytes to a real
 * ApiServer on 127.0.0.1 with a stub node. Every answer is a JSON document with a 2xx or
 * 4xx status; only requests with the right token get a 2xx; nothing internal leaks.
 */
import { connect } from 'node:net'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import fc from 'fast-check'
import { parseAddRequest, parseGetRequest, parseJsonBody, requestRoute } from '../../../src/api/requests.js'
import { ApiServer } from '../../../src/api/server.js'
import { FuzzFailure, check, expectNamed } from '../target.js'
import type { FuzzTarget } from '../target.js'
import type { ShoalNode } from '../../../src/node/shoal-node.js'

const REAL_EVERY = 10
/** The stub node fails with this on one content id; it must never reach a client. */
const SECRET = 'SECRET-internal-detail'
/** Answers seen by status ('none' for a dropped connection), for the run's summary. */
const seen = new Map<string, number>()
const STATUSES = new Set([200, 400, 401, 403, 404, 405, 408, 413, 414, 415, 417, 431])

const stubNode = {
  status: () => ({ peerId: 'stub', addresses: [], connections: 0, swarms: [], bans: [] }),
  add: async (path: string) => ({ contentId: 'bafkstub', name: 'x', size: 1, pieceCount: 1, path }),
  get: async (contentId: string, options: { output?: string, onProgress?: (e: unknown) => void }) => {
    if (contentId === 'internal') throw new Error(SECRET)
    options.onProgress?.({ type: 'shoal:get:searching', contentId })
    return options.output ?? '/out'
  }
} as unknown as ShoalNode

const jsonish = fc.oneof(
  fc.record({ path: fc.oneof(fc.constantFrom('/abs/file', 'relative', '', '/a\u0000b'), fc.string()), contentId: fc.oneof(fc.constantFrom('internal', 'bafk'), fc.string()), output: fc.oneof(fc.constant('/o'), fc.string(), fc.integer()), outputDir: fc.oneof(fc.constant('/d'), fc.anything()), force: fc.oneof(fc.boolean(), fc.anything()), timeout: fc.oneof(fc.integer(), fc.double(), fc.string()) }, { requiredKeys: [] }),
  fc.anything({ maxDepth: 2 })
).map(v => { try { return JSON.stringify(v) ?? 'null' } catch { return '"x"' } })
const body = fc.oneof(jsonish, fc.string({ maxLength: 100 }), fc.constantFrom('', '{', '{"__proto__":{"path":"/x"}}', '{"constructor":{"prototype":{}}}', '[]', 'null'))

const method = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'POST') }, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'), fc.stringMatching(/^[A-Z]{1,8}$/))
const path = fc.oneof({ weight: 6, arbitrary: fc.constantFrom('/v1/add', '/v1/get', '/v1/status') }, fc.constantFrom('/v1/status', '/v1/add', '/v1/get', '/v1/stop', '/', '/v1/', '/v1/status?x=1', '*', '/../etc/passwd', '/%00', `/${'a'.repeat(2000)}`), fc.webPath(), fc.string({ maxLength: 30 }).map(s => `/${s}`))
const token = fc.oneof({ weight: 6, arbitrary: fc.constant('right') }, fc.constant('none'), fc.constant('wrong'), fc.constant('prefix'), fc.string({ maxLength: 70 }))
const header = fc.tuple(fc.oneof(fc.constantFrom('content-type', 'origin', 'transfer-encoding', 'content-length', 'host', 'expect', 'connection'), fc.stringMatching(/^[a-z-]{1,20}$/)), fc.oneof(fc.constantFrom('application/json', 'text/plain', 'chunked', '0', '999999999', 'http://evil.example', '100-continue', 'close'), fc.stringMatching(/^[ -~]{0,40}$/)))

const request = fc.record({ method, path, token, headers: fc.array(header, { maxLength: 2 }), contentType: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)), body, bigHeader: fc.nat({ max: 20 }) })
type Request = typeof request extends fc.Arbitrary<infer T> ? T : never

function authorization (kind: string, real: string): string | undefined {
  if (kind === 'right') return `Bearer ${real}`
  if (kind === 'none') return undefined
  if (kind === 'wrong') return `Bearer ${'0'.repeat(real.length)}`
  if (kind === 'prefix') return `Bearer ${real.slice(0, -1)}`
  return kind
}

/** The request as bytes on the wire: whatever the generator made, even if no client would send it. */
function serialise (r: Request, realToken: string): { bytes: string, authorized: boolean } {
  const auth = authorization(r.token, realToken)
  const lines = [`${r.method} ${r.path} HTTP/1.1`, 'host: 127.0.0.1']
  if (auth !== undefined) lines.push(`authorization: ${auth.replace(/[\r\n]/g, '')}`)
  if (r.contentType) lines.push('content-type: application/json')
  const custom = new Set(r.headers.map(([name]) => name))
  for (const [name, value] of r.headers) lines.push(`${name}: ${value}`)
  if (!custom.has('content-length') && !custom.has('transfer-encoding')) lines.push(`content-length: ${Buffer.byteLength(r.body)}`)
  if (r.bigHeader === 0) lines.push(`x-padding: ${'p'.repeat(10_000)}`)
  lines.push('connection: close')
  return { bytes: `${lines.join('\r\n')}\r\n\r\n${r.body}`, authorized: r.token === 'right' || auth === `Bearer ${realToken}` }
}

async function exchange (port: number, bytes: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    socket.setEncoding('latin1')
    socket.on('data', (d: string) => { answer += d })
    socket.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'ECONNRESET' || err.code === 'EPIPE') resolve(answer); else reject(err) })
    socket.on('close', () => { resolve(answer) })
    socket.setTimeout(5000, () => { socket.destroy(); reject(new FuzzFailure('no answer within 5 s')) })
    socket.end(bytes, 'latin1')
  })
}

function checkAnswer (raw: string, authorized: boolean): void {
  if (raw.startsWith('HTTP/1.1 100 ') && !authorized) throw new FuzzFailure('100 Continue without the token')
  const answer = raw.replace(/^HTTP\/1\.1 100 [^\r\n]*\r\n\r\n/, '')
  const key = answer === '' ? 'none' : answer.slice(9, 12)
  seen.set(key, (seen.get(key) ?? 0) + 1)
  if (answer === '') return // the server may drop a connection that sent nothing it could read
  const match = /^HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(answer)
  if (match === null) throw new FuzzFailure(`not an HTTP answer: ${JSON.stringify(answer.slice(0, 200))}`)
  const status = Number(match[1])
  if (!STATUSES.has(status)) throw new FuzzFailure(`status ${status}: ${answer.slice(0, 300)}`)
  if (status < 300 && !authorized) throw new FuzzFailure(`status ${status} without the token`)
  if (answer.includes(SECRET) || /\n\s+at .*:\d+:\d+/.test(answer)) throw new FuzzFailure(`internals leaked: ${answer.slice(0, 300)}`)
  if (!/content-type: application\/(json|x-ndjson)/i.test(match[2])) throw new FuzzFailure(`answer is not JSON: ${answer.slice(0, 300)}`)
}

/** The parsers alone: a typed request or an HttpError. */
function parse (r: Request): void {
  try {
    requestRoute(r.method, r.path)
    const parsed = parseJsonBody(r.body)
    parseAddRequest(parsed)
  } catch (err) {
    expectNamed(err, ['HttpError'], 'parsing')
  }
  try {
    parseGetRequest(parseJsonBody(r.body))
  } catch (err) {
    expectNamed(err, ['HttpError'], 'parseGetRequest')
  }
}

export const apiTarget: FuzzTarget = {
  name: 'control API',
  description: `request parsers on every input, a real ApiServer over raw HTTP on 1 in ${REAL_EVERY}`,
  summary: () => `real HTTP requests by status: ${[...seen].sort().map(([k, v]) => `${k}×${v}`).join(' ')}`,
  run: async (runs, seed) => {
    seen.clear()
    const dataDir = await mkdtemp(join(tmpdir(), 'shoal-fuzz-api-'))
    const server = new ApiServer({ node: stubNode, host: '127.0.0.1', port: 0, dataDir, log: defaultLogger().forComponent('shoal:fuzz:api'), onStop: () => {} })
    await server.start()
    try {
      const realToken = (await readFile(join(dataDir, 'api.token'), 'utf8')).trim()
      const port = Number(new URL(server.address).port)
      let n = 0
      return await check(fc.asyncProperty(request, async (r) => {
        parse(r)
        if (n++ % REAL_EVERY !== 0) return
        const { bytes, authorized } = serialise(r, realToken)
        checkAnswer(await exchange(port, bytes), authorized)
      }), runs, seed)
    } finally {
      await server.stop()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}
