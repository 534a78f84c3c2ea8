/**
 * The control API against its OpenAPI document, with real `shoal start` processes: the
 * document the node serves is the one in src/api/openapi.ts, and every route's answers
 * (status, status?peers=1, add, a get's stream of events, a connect that fails, cancel, a
 * cancel of nothing, the dashboard's login code, piece map and event stream, the metrics, a
 * request without the token, stop) match the document's schemas for
 * the status they came with.
 */
import assert from 'node:assert/strict'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import { OPENAPI } from '../../src/api/openapi.js'
import { TICKET } from '../../src/config/defaults.js'
import { encodeTicket } from '../../src/core/ticket.js'
import { validate } from '../helpers/json-schema.js'
import type { JsonSchema } from '../helpers/json-schema.js'
import { randomFile, tempDir } from '../helpers/temp.js'
import { ShoalProcess, killAll } from './helpers/shoal-process.js'

const MiB = 1024 * 1024

interface Api { url: string, token: string }

async function apiOf (node: ShoalProcess): Promise<Api> {
  const [url, token] = await Promise.all([readFile(join(node.dataDir, 'api'), 'utf8'), readFile(join(node.dataDir, 'api.token'), 'utf8')])
  return { url: url.trim(), token: token.trim() }
}

async function call (api: Api, method: 'GET' | 'POST', path: string, body?: object, token = api.token): Promise<Response> {
  return await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000)
  })
}

describe('e2e: the control API answers as its OpenAPI document says', function () {
  this.timeout(180_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let doc: JsonSchema
  /** Operations whose answers were checked, as "METHOD path status". */
  const checked = new Set<string>()

  /** The schema of `method path`'s answer with `status` and `type`; an answer the document does not name fails. */
  function responseSchema (method: string, path: string, status: number, type: string): JsonSchema {
    const op = doc.paths[documentPath(path)]?.[method.toLowerCase()]
    assert.ok(op !== undefined, `${method} ${path} is not in the document`)
    const response = op.responses[String(status)]
    assert.ok(response !== undefined, `${method} ${path} answered ${status}, which the document does not list`)
    const schema = response.content?.[type]?.schema
    assert.ok(schema !== undefined, `${method} ${path} ${status} answered ${type}, which the document does not list`)
    return schema
  }

  async function checked200 (api: Api, method: 'GET' | 'POST', path: string, body?: object, expected = 200): Promise<any> {
    const res = await call(api, method, path, body)
    const value = await res.json()
    assert.equal(res.status, expected, JSON.stringify(value))
    const problems = validate(value, responseSchema(method, path, res.status, res.headers.get('content-type') ?? ''), doc)
    assert.deepEqual(problems, [], `${method} ${path}: ${JSON.stringify(value).slice(0, 2000)}`)
    checked.add(`${method} ${path} ${res.status}`)
    return value
  }

  /** The document's path for a called one: `/v1/swarms/bafy…/pieces` is `/v1/swarms/{cid}/pieces`. */
  function documentPath (called: string): string {
    const path = called.split('?')[0]
    const template = Object.keys(doc.paths).find(p => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path))
    return template ?? path
  }

  /** The event stream's type, and its first `status` event against the document's NodeStatus. */
  async function checkEventStream (api: Api): Promise<void> {
    const abort = new AbortController()
    const res = await fetch(`${api.url}/v1/events`, { headers: { authorization: `Bearer ${api.token}` }, signal: abort.signal })
    assert.equal(res.status, 200)
    const type = res.headers.get('content-type') ?? ''
    const schema = responseSchema('GET', '/v1/events', 200, type.split(';')[0])
    assert.equal(schema.type, 'string')
    let text = ''
    for await (const chunk of (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream())) {
      text += chunk
      const event = /event: status\ndata: (.*)\n\n/.exec(text)
      if (event === null) continue
      assert.deepEqual(validate(JSON.parse(event[1]), doc.components.schemas.NodeStatus, doc), [])
      break
    }
    abort.abort()
    checked.add('GET /v1/events 200')
  }

  beforeEach(async () => { dir = await tempDir('shoal-e2e-openapi-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  it('every route, on a seeder and a leecher trading a rate-limited file', async () => {
    const seederNode = await ShoalProcess.create(join(dir.path, 'seeder'), { limits: { uploadRate: MiB } })
    const leecherNode = await ShoalProcess.create(join(dir.path, 'leecher'), { bootstrap: [(await seederNode.status()).addresses[0]] })
    const seeder = await apiOf(seederNode)
    const leecher = await apiOf(leecherNode)

    const served = await call(seeder, 'GET', '/v1/openapi.json')
    assert.equal(served.status, 200)
    doc = await served.json() as JsonSchema
    assert.deepEqual(doc, JSON.parse(JSON.stringify(OPENAPI)), 'the node serves src/api/openapi.ts')
    checked.add('GET /v1/openapi.json 200')

    await checked200(seeder, 'GET', '/v1/status')
    await mkdir(join(dir.path, 'src'))
    await randomFile(join(dir.path, 'src', 'file.bin'), 3 * MiB)
    const added = await checked200(seeder, 'POST', '/v1/add', { path: join(dir.path, 'src', 'file.bin') })

    // the get's stream: every line one of the document's GetEvents, the last `done`
    const res = await call(leecher, 'POST', '/v1/get', { contentId: added.contentId, output: join(dir.path, 'out.bin'), timeout: 60_000 })
    const lineSchema = responseSchema('POST', '/v1/get', res.status, res.headers.get('content-type') ?? '')
    const types = new Set<string>()
    let peersSeen = 0
    let pending = ''
    for await (const chunk of (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream())) {
      const lines = (pending + chunk).split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines.filter(l => l !== '')) {
        const event = JSON.parse(line)
        assert.deepEqual(validate(event, lineSchema, doc), [], line)
        types.add(event.type)
      }
      // mid-download, the seeder's status with its peers
      if (peersSeen === 0) {
        const status = await checked200(seeder, 'GET', '/v1/status?peers=1')
        peersSeen = status.swarms[0]?.peerDetails?.length ?? 0
      }
    }
    assert.ok(types.has('shoal:get:manifest') && types.has('shoal:get:progress') && types.has('done'), [...types].join())
    assert.ok(peersSeen > 0, 'the seeder\'s status?peers=1 showed the leecher during the download')
    checked.add('POST /v1/get 200')

    // per-file progress, and a selection refused: the one file is complete here
    const files = await checked200(leecher, 'GET', '/v1/status?files=1')
    assert.deepEqual(files.swarms[0].files.map((f: { path: string, complete: boolean }) => [f.path, f.complete]), [['file.bin', true]])
    const select = await checked200(leecher, 'POST', '/v1/select', { contentId: added.contentId, only: ['file.bin'] }, 400)
    assert.equal(select.error.name, 'StorageError')

    const connect = await checked200(leecher, 'POST', '/v1/connect', { address: '/ip4/127.0.0.1/tcp/1/p2p/12D3KooWSHPgw3gQZosKnJdgKpCmjAVUhg14omrHitMXJghM84QJ' }, 400)
    assert.equal(connect.error.name, 'ConnectError')
    const bad = await checked200(leecher, 'POST', '/v1/add', { path: 'relative' }, 400)
    assert.equal(bad.error.name, 'HttpError')
    const cancelled = await checked200(leecher, 'POST', '/v1/cancel', { contentId: added.contentId })
    assert.equal(cancelled.origin, 'download')
    const none = await checked200(leecher, 'POST', '/v1/cancel', { contentId: added.contentId }, 400)
    assert.equal(none.error.name, 'UnknownContentError')

    // a ticket: the leecher dials the seeder it names; a text that is no ticket is a 400
    const seederStatus = await checked200(seeder, 'GET', '/v1/status')
    const ticket = encodeTicket(CID.parse(added.contentId), seederStatus.addresses.map((a: string) => multiaddr(a)), TICKET)
    const dialled = await checked200(leecher, 'POST', '/v1/ticket/dial', { ticket })
    assert.deepEqual(dialled, { contentId: added.contentId, peers: 1, reached: 1 })
    const notTicket = await checked200(leecher, 'POST', '/v1/ticket/dial', { ticket: 'shoal1nonsense' }, 400)
    assert.equal(notTicket.error.name, 'HttpError')

    // the dashboard's routes: a login code, a piece map, the event stream's first status
    const login = await checked200(seeder, 'POST', '/v1/dashboard/login-code')
    assert.match(login.url, /\/dashboard\/login\?code=/)
    const map = await checked200(seeder, 'GET', `/v1/swarms/${added.contentId as string}/pieces`)
    assert.equal(Buffer.from(map.pieces, 'base64').byteLength, map.pieceCount)
    const unknown = await checked200(seeder, 'GET', '/v1/swarms/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy/pieces', undefined, 404)
    assert.equal(unknown.error.name, 'HttpError')
    await checkEventStream(seeder)

    // the metrics: text, the type the document names
    const metrics = await call(seeder, 'GET', '/metrics')
    assert.equal(metrics.status, 200)
    assert.ok((metrics.headers.get('content-type') ?? '').startsWith('text/plain'))
    assert.ok(responseSchema('GET', '/metrics', 200, 'text/plain') !== undefined)
    assert.match(await metrics.text(), /^shoal_uploaded_bytes_total /m)
    checked.add('GET /metrics 200')

    const refused = await call(leecher, 'GET', '/v1/status', undefined, 'wrong')
    assert.equal(refused.status, 401)
    assert.deepEqual(validate(await refused.json(), responseSchema('GET', '/v1/status', 401, 'application/json'), doc), [])

    assert.deepEqual(await checked200(leecher, 'POST', '/v1/stop'), { stopping: true })
    assert.equal((await leecherNode.exited).code, 0)

    // every path of the document was called
    for (const path of Object.keys(doc.paths)) assert.ok([...checked].some(c => documentPath(c.split(' ')[1]) === path), `${path} was not called`)
  })
})
