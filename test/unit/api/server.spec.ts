/**
 * The control API against a stub node, over real HTTP on 127.0.0.1: each claim of the
 * README's "control API" paragraph has a test here (loopback, token, sizes, plain errors).
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { connect } from 'node:net'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { API_LIMITS } from '../../../src/config/defaults.js'
import { resolveConfig } from '../../../src/config/load.js'
import { ApiServer } from '../../../src/api/server.js'
import { tempDir } from '../../helpers/temp.js'
import { InvalidAddressError, UnknownContentError } from '../../../src/errors.js'
import { isNamedError } from '../fixtures.js'
import type { ShoalNode } from '../../../src/node/shoal-node.js'

const SECRET = 'a detail only the log may see'

const stubNode = {
  status: () => ({ peerId: 'stub', addresses: [], connections: 0, swarms: [], bans: [] }),
  add: async () => { throw new Error(SECRET) },
  get: async (_cid: string, options: { output?: string, onProgress?: (event: object) => void }) => {
    // a swarm of 8 pieces whose first three land in one burst
    for (let piecesHave = 0; piecesHave <= 3; piecesHave++) {
      options.onProgress?.({ type: 'shoal:get:progress', contentId: 'x', piecesHave, pieceCount: 8, bytesHave: piecesHave * 16, size: 128, peers: 1 })
    }
    return options.output ?? '/out'
  },
  connect: async (address: string) => {
    if (!address.includes('/p2p/')) throw new InvalidAddressError(`"${address}" does not end in /p2p/<peer id>`)
    return { peerId: address.slice(address.lastIndexOf('/') + 1), address }
  },
  cancel: async (cid: { toString: () => string }, options: { remove: boolean }) => {
    if (options.remove) throw new UnknownContentError(`no swarm for ${cid.toString()}`)
    return { contentId: cid.toString(), path: '/out', origin: 'download', complete: false, removed: false }
  }
} as unknown as ShoalNode

interface Answer { status: number, type: string, body: string }

/** A real API server on 127.0.0.1 for the tests of one describe block, started before them and stopped after. */
function useServer (timeouts?: { headers: number, request: number }): { readonly server: ApiServer, readonly token: string, readonly port: number, readonly dataDir: string } {
  const ctx = {} as { server: ApiServer, token: string, port: number, dataDir: string, cleanup: () => Promise<void> }
  before(async () => {
    const dir = await tempDir('shoal-api-')
    ctx.dataDir = dir.path
    ctx.cleanup = dir.cleanup
    ctx.server = new ApiServer({ node: stubNode, host: '127.0.0.1', port: 0, dataDir: dir.path, log: defaultLogger().forComponent('shoal:test:api'), onStop: () => {}, timeouts })
    await ctx.server.start()
    ctx.token = (await readFile(join(dir.path, 'api.token'), 'utf8')).trim()
    ctx.port = Number(new URL(ctx.server.address).port)
  })
  after(async () => {
    await ctx.server.stop()
    await ctx.cleanup()
  })
  return ctx
}

describe('api/server', () => {
  const api = useServer()

  async function call (method: string, path: string, options: { headers?: Record<string, string>, body?: string, auth?: string | null } = {}): Promise<Answer> {
    const auth = options.auth === undefined ? `Bearer ${api.token}` : options.auth
    return await new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: api.port, method, path, headers: { ...(auth === null ? {} : { authorization: auth }), ...options.headers } }, (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (d: string) => { body += d }).on('end', () => { resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }) })
      })
      req.on('error', reject)
      req.end(options.body)
    })
  }

  async function raw (bytes: string): Promise<string> {
    return await new Promise((resolve, reject) => {
      const socket = connect(api.port, '127.0.0.1')
      let answer = ''
      socket.setEncoding('latin1').on('data', (d: string) => { answer += d }).on('close', () => { resolve(answer) }).on('error', reject)
      socket.end(bytes)
    })
  }

  const json = { 'content-type': 'application/json' }
  const assertPlain = (a: Answer, status: number, message: RegExp): void => {
    assert.equal(a.status, status, a.body)
    assert.match(a.type, /^application\/json/)
    const { error } = JSON.parse(a.body) as { error: { name: string, message: string } }
    assert.match(error.message, message)
    assert.doesNotMatch(a.body, /\n\s+at |\.js:\d+/)
  }

  it('listens on loopback only: the config refuses any other API host', () => {
    assert.match(api.server.address, /^http:\/\/127\.0\.0\.1:\d+$/)
    for (const host of ['0.0.0.0', '::', '192.168.1.2']) {
      assert.throws(() => resolveConfig({ api: { host } }), isNamedError('ConfigError', /api\.host.*loopback/))
    }
  })

  it('writes the token file with mode 0600', async () => {
    assert.equal((await stat(join(api.dataDir, 'api.token'))).mode & 0o777, 0o600)
  })

  it('requires the token: none, a wrong one of the same length, or a prefix get 401', async () => {
    assertPlain(await call('GET', '/v1/status', { auth: null }), 401, /token/)
    assertPlain(await call('GET', '/v1/status', { auth: `Bearer ${'0'.repeat(api.token.length)}` }), 401, /token/)
    assertPlain(await call('GET', '/v1/status', { auth: `Bearer ${api.token.slice(0, -1)}` }), 401, /token/)
    assertPlain(await call('GET', '/v1/status', { auth: api.token }), 401, /token/)
    assert.equal((await call('GET', '/v1/status')).status, 200)
  })

  it('an unknown endpoint is a plain 404 that does not echo the request; a wrong method is 405', async () => {
    const a = await call('GET', '/v1/<script>nope')
    assertPlain(a, 404, /^no such endpoint$/)
    assert.doesNotMatch(a.body, /script/)
    assertPlain(await call('GET', '/v1/add'), 405, /POST/)
    assertPlain(await call('GET', '/v1/nope', { auth: null }), 401, /token/)
  })

  it('refuses a body over the limit (413), a non-JSON content type (415), a body that is not a JSON object (400)', async () => {
    assertPlain(await call('POST', '/v1/add', { headers: json, body: JSON.stringify({ path: `/${'a'.repeat(API_LIMITS.maxBodyBytes)}` }) }), 413, /too large/)
    assertPlain(await call('POST', '/v1/add', { headers: { 'content-type': 'text/plain' }, body: '{"path":"/x"}' }), 415, /application\/json/)
    assertPlain(await call('POST', '/v1/add', { body: '{"path":"/x"}' }), 415, /application\/json/)
    assertPlain(await call('POST', '/v1/add', { headers: json, body: '[1]' }), 400, /JSON object/)
    assertPlain(await call('POST', '/v1/add', { headers: json, body: '{' }), 400, /not JSON/)
    assertPlain(await call('POST', '/v1/get', { headers: json, body: '{"contentId":"x","force":"yes"}' }), 400, /force/)
  })

  it('POST /v1/get: progress lines at most every progressInterval, but the first verified piece\'s line at once', async () => {
    const cid = 'bafkreieil77kzokc6qbrw5pypij6gexlpuihnyxeuyqk476pbrqixoln5q'
    const answer = await call('POST', '/v1/get', { headers: json, body: JSON.stringify({ contentId: cid, output: '/tmp/x' }) })
    assert.equal(answer.status, 200)
    const lines = answer.body.trim().split('\n').map(line => JSON.parse(line) as { type: string, piecesHave?: number })
    assert.deepEqual(lines.map(l => l.piecesHave ?? l.type), [0, 1, 'done'])
  })

  it('POST /v1/cancel: the node\'s answer as JSON; a bad body is a 400, and so is an unknown content id (with the error\'s name)', async () => {
    const cid = 'bafkreieil77kzokc6qbrw5pypij6gexlpuihnyxeuyqk476pbrqixoln5q'
    const ok = await call('POST', '/v1/cancel', { headers: json, body: JSON.stringify({ contentId: cid }) })
    assert.equal(ok.status, 200)
    assert.deepEqual(JSON.parse(ok.body), { contentId: cid, path: '/out', origin: 'download', complete: false, removed: false })
    assertPlain(await call('POST', '/v1/cancel', { headers: json, body: JSON.stringify({ contentId: cid, remove: 'yes' }) }), 400, /remove/)
    assertPlain(await call('POST', '/v1/cancel', { headers: json, body: JSON.stringify({ contentId: 'not-a-cid' }) }), 400, /./)
    const unknown = await call('POST', '/v1/cancel', { headers: json, body: JSON.stringify({ contentId: cid, remove: true }) })
    assert.equal(unknown.status, 400)
    assert.deepEqual(JSON.parse(unknown.body), { error: { name: 'UnknownContentError', message: `no swarm for ${cid}` } })
    assertPlain(await call('GET', '/v1/cancel'), 405, /POST/)
  })

  it('refuses a URL over the limit (414) and headers over the limit (431)', async () => {
    assertPlain(await call('GET', `/v1/status?${'q'.repeat(API_LIMITS.maxUrlLength)}`), 414, /too long/)
    const answer = await raw(`GET /v1/status HTTP/1.1\r\nhost: x\r\nx-big: ${'b'.repeat(API_LIMITS.maxHeaderBytes)}\r\n\r\n`)
    assert.match(answer, /^HTTP\/1\.1 431 /)
    assert.match(answer, /"request headers too large"/)
  })

  it('answers a malformed request with a plain JSON 400', async () => {
    const answer = await raw('NOT HTTP AT ALL\r\n\r\n')
    assert.match(answer, /^HTTP\/1\.1 400 /)
    assert.match(answer, /content-type: application\/json/)
    assert.match(answer, /"malformed request"/)
  })

  it('POST /v1/connect answers with the peer reached; a bad address is a plain 400 naming it', async () => {
    const ok = await call('POST', '/v1/connect', { headers: json, body: JSON.stringify({ address: '/ip4/192.0.2.1/tcp/1/p2p/12D3KooWpeer' }) })
    assert.equal(ok.status, 200, ok.body)
    assert.deepEqual(JSON.parse(ok.body), { peerId: '12D3KooWpeer', address: '/ip4/192.0.2.1/tcp/1/p2p/12D3KooWpeer' })
    assertPlain(await call('POST', '/v1/connect', { headers: json, body: JSON.stringify({ address: '/ip4/192.0.2.1/tcp/1' }) }), 400, /does not end in \/p2p\//)
    assertPlain(await call('POST', '/v1/connect', { headers: json, body: '{}' }), 400, /"address" must be a non-empty string/)
    assertPlain(await call('GET', '/v1/connect'), 405, /POST/)
  })

  it('refuses requests from browsers (an Origin header), even with the token', async () => {
    assertPlain(await call('GET', '/v1/status', { headers: { origin: 'http://evil.example' } }), 403, /browsers/)
  })

  it('an unexpected failure is "internal error", with no details', async () => {
    const a = await call('POST', '/v1/add', { headers: json, body: '{"path":"/x"}' })
    assertPlain(a, 500, /^internal error/)
    assert.ok(!a.body.includes(SECRET))
  })

  it('gives 100 Continue only to a client with the token', async () => {
    const without = await raw('POST /v1/add HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n')
    assert.match(without, /^HTTP\/1\.1 401 /)
  })
})

describe('api/server: slow clients', () => {
  const HEADERS_MS = 400
  const REQUEST_MS = 900
  const api = useServer({ headers: HEADERS_MS, request: REQUEST_MS })

  /** Send `bytes` and keep the connection open: resolves with what the server sent, and when, once it hangs up. */
  async function hold (bytes: string): Promise<{ answer: string, ms: number }> {
    const started = performance.now()
    return await new Promise((resolve, reject) => {
      const socket = connect(api.port, '127.0.0.1')
      let answer = ''
      const giveUp = setTimeout(() => { socket.destroy(); reject(new Error(`the server held a slow client for 10 s: ${answer}`)) }, 10_000)
      socket.setEncoding('latin1').on('data', (d: string) => { answer += d }).on('error', reject)
      socket.on('close', () => { clearTimeout(giveUp); resolve({ answer, ms: performance.now() - started }) })
      socket.write(bytes)
    })
  }

  it('a client that never finishes its headers gets a plain 408 and is hung up on', async () => {
    const { answer, ms } = await hold('GET /v1/status HTTP/1.1\r\nhost: x\r\n')
    assert.match(answer, /^HTTP\/1\.1 408 /)
    assert.match(answer, /"request took too long"/)
    assert.ok(ms >= HEADERS_MS * 0.9, `answered after ${ms.toFixed(0)} ms, before the timeout`)
  })

  it('a client that never finishes its body (with the token) gets a plain 408 and is hung up on', async () => {
    const { answer } = await hold(`POST /v1/get HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${api.token}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"contentId":`)
    assert.match(answer, /^HTTP\/1\.1 408 /)
    assert.match(answer, /"request took too long"/)
  })

  it('a client that sends nothing at all is hung up on', async () => {
    const { ms } = await hold('')
    assert.ok(ms < 5000)
  })
})
