/**
 * The dashboard's side of the control API, over real HTTP on 127.0.0.1: the login, the
 * session's browser rules, the page's headers, the event stream and the piece maps.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { defaultLogger } from '@libp2p/logger'
import { ApiServer } from '../../../../src/api/server.js'
import { tempDir } from '../../../helpers/temp.js'
import type { ShoalNode } from '../../../../src/node/shoal-node.js'

const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const stubNode = {
  status: (options: { peers?: boolean }) => ({ peerId: 'stub', addresses: [], connections: 0, swarms: [{ contentId: CID, name: 'a', ...(options.peers === true ? { peerDetails: [{ peerId: 'p1', direction: 'inbound' }] } : {}) }], bans: [] }),
  pieceMap: (cid: string) => cid === CID ? new Uint8Array([0x80, 0x41, 0x00]) : undefined,
  add: async (path: string) => ({ contentId: CID, name: 'a', size: 1, pieceCount: 1, path })
} as unknown as ShoalNode

interface Answer { status: number, headers: Record<string, string | string[] | undefined>, body: string }

describe('api/dashboard/routes', () => {
  let server: ApiServer
  let token: string
  let port: number
  let origin: string
  let cleanup: () => Promise<void>
  before(async () => {
    const dir = await tempDir('shoal-dash-')
    cleanup = dir.cleanup
    server = new ApiServer({ node: stubNode, host: '127.0.0.1', port: 0, dataDir: dir.path, log: defaultLogger().forComponent('shoal:test:api'), onStop: () => {} })
    await server.start()
    token = (await readFile(join(dir.path, 'api.token'), 'utf8')).trim()
    origin = server.address
    port = Number(new URL(origin).port)
  })
  after(async () => {
    await server.stop()
    await cleanup()
  })

  /** A request; `max` ms of a stream's body at most (then the connection is closed). */
  async function call (method: string, path: string, headers: Record<string, string> = {}, body?: string, max = 5000): Promise<Answer> {
    return await new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
        let text = ''
        const done = (): void => { resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }) }
        const timer = setTimeout(() => { req.destroy(); done() }, max)
        res.setEncoding('utf8').on('data', (d: string) => { text += d }).on('end', () => { clearTimeout(timer); done() })
      })
      req.on('error', reject)
      req.end(body)
    })
  }
  const bearer = (): Record<string, string> => ({ authorization: `Bearer ${token}` })

  async function loginCode (): Promise<{ code: string, url: string, expiresIn: number }> {
    const answer = await call('POST', '/v1/dashboard/login-code', bearer())
    assert.equal(answer.status, 200, answer.body)
    return JSON.parse(answer.body)
  }

  async function session (): Promise<Record<string, string>> {
    const { url } = await loginCode()
    const answer = await call('GET', new URL(url).pathname + new URL(url).search)
    assert.equal(answer.status, 303)
    const cookie = String(answer.headers['set-cookie']).split(';')[0]
    return { cookie }
  }

  it('a login code (bearer only) becomes an HttpOnly, SameSite=Strict session cookie once, and the page is served with it', async () => {
    const { code, url, expiresIn } = await loginCode()
    assert.equal(url, `${origin}/dashboard/login?code=${code}`)
    assert.ok(Buffer.from(code, 'base64url').byteLength >= 16)
    assert.equal(expiresIn, 60_000)
    const login = await call('GET', `/dashboard/login?code=${code}`)
    assert.equal(login.status, 303)
    assert.equal(login.headers.location, '/dashboard/')
    assert.match(String(login.headers['set-cookie']), new RegExp(`^shoal_session_${port}=[A-Za-z0-9_-]{40,}; HttpOnly; SameSite=Strict; Path=/; Max-Age=\\d+$`))
    assert.doesNotMatch(String(login.headers['set-cookie']), new RegExp(token))
    const again = await call('GET', `/dashboard/login?code=${code}`)
    assert.equal(again.status, 401)
    const cookie = String(login.headers['set-cookie']).split(';')[0]
    const page = await call('GET', '/dashboard/', { cookie })
    assert.equal(page.status, 200)
    assert.match(page.body, /<script type="module" src="app.js"><\/script>/)
    assert.doesNotMatch(page.body, /<script>|<script type="module">|on(click|load)=/, 'no inline script')
    assert.doesNotMatch(page.body, new RegExp(token))
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'/)
    assert.equal(page.headers['x-content-type-options'], 'nosniff')
    assert.equal(page.headers['referrer-policy'], 'no-referrer')
    assert.equal(page.headers['cache-control'], 'no-store')
    const script = await call('GET', '/dashboard/app.js', { cookie })
    assert.equal(script.status, 200)
    assert.match(String(script.headers['content-type']), /^text\/javascript/)
  })

  it('without token or session: 401 and no data, for the page, its files, the API and the event stream', async () => {
    for (const path of ['/dashboard/', '/dashboard/app.js', '/v1/status', '/v1/events', `/v1/swarms/${CID}/pieces`]) {
      const answer = await call('GET', path, { cookie: `shoal_session_${port}=forged` }, undefined, 500)
      assert.equal(answer.status, 401, path)
      assert.doesNotMatch(answer.body, /stub|peerId/, path)
    }
    assert.equal((await call('GET', '/dashboard/login?code=guess')).status, 401)
    assert.equal((await call('GET', '/dashboard/login')).status, 401)
  })

  it('a session cannot make login codes; only the token can', async () => {
    const answer = await call('POST', '/v1/dashboard/login-code', await session())
    assert.equal(answer.status, 403)
  })

  it('with the session: the API\'s own Host only (DNS rebinding), and no Origin but its own', async () => {
    const cookie = await session()
    assert.equal((await call('GET', '/v1/status', cookie)).status, 200)
    assert.equal((await call('GET', '/v1/status', { ...cookie, origin })).status, 200)
    assert.equal((await call('GET', '/v1/status', { ...cookie, host: `rebound.example:${port}` })).status, 403)
    assert.equal((await call('GET', '/v1/status', { ...cookie, host: `localhost:${port}` })).status, 403)
    assert.equal((await call('GET', '/v1/status', { ...cookie, origin: 'http://evil.example' })).status, 403)
    assert.equal((await call('GET', '/v1/status', { ...cookie, origin: 'null' })).status, 403)
    assert.equal((await call('GET', '/v1/events', { ...cookie, origin: 'http://evil.example' }, undefined, 300)).status, 403)
    const add = await call('POST', '/v1/add', { ...cookie, origin: 'http://evil.example', 'content-type': 'application/json' }, JSON.stringify({ path: '/x' }))
    assert.equal(add.status, 403)
    const own = await call('POST', '/v1/add', { ...cookie, origin, 'content-type': 'application/json' }, JSON.stringify({ path: '/x' }))
    assert.equal(own.status, 200, own.body)
    for (const site of ['cross-site', 'same-site']) assert.equal((await call('GET', '/v1/status', { ...cookie, 'sec-fetch-site': site })).status, 403, site)
    for (const site of ['same-origin', 'none']) assert.equal((await call('GET', '/v1/status', { ...cookie, 'sec-fetch-site': site })).status, 200, site)
    // the login itself answers only at the API's own address
    const { code } = await loginCode()
    assert.equal((await call('GET', `/dashboard/login?code=${code}`, { host: 'rebound.example' })).status, 403)
  })

  it('the CLI\'s bearer requests work as before, and still refuse any Origin', async () => {
    assert.equal((await call('GET', '/v1/status', bearer())).status, 200)
    assert.equal((await call('GET', '/v1/status', { ...bearer(), origin })).status, 403)
  })

  it('piece map: base64, a byte per piece; 404 for unknown content', async () => {
    const answer = await call('GET', `/v1/swarms/${CID}/pieces`, bearer())
    assert.equal(answer.status, 200)
    assert.deepEqual(JSON.parse(answer.body), { contentId: CID, pieceCount: 3, encoding: 'base64', pieces: Buffer.from([0x80, 0x41, 0]).toString('base64') })
    assert.equal((await call('GET', '/v1/swarms/bafkunknown/pieces', bearer())).status, 404)
  })

  it('the event stream: status at once, and the watched swarm\'s peers and pieces', async () => {
    const answer = await call('GET', `/v1/events?swarm=${CID}`, await session(), undefined, 300)
    assert.equal(answer.status, 200)
    assert.equal(answer.headers['content-type'], 'text/event-stream')
    const [status, swarm] = answer.body.split('\n\n')
    assert.match(status, /^event: status\ndata: \{"peerId":"stub"/)
    const detail = JSON.parse(swarm.replace(/^event: swarm\ndata: /, ''))
    assert.deepEqual(detail.peers, [{ peerId: 'p1', direction: 'inbound' }])
    assert.equal(detail.pieces.pieceCount, 3)
  })
})
