/**
 * The HTTP gateway against the source bytes: every Range form, HEAD, ETag, a file of a folder,
 * its refusals (Host, methods, no index), content it does not hold yet (downloaded and streamed
 * as it arrives), and a poisoner's bad pieces mid-stream (never a bad byte sent).
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { GATEWAY } from '../../src/config/defaults.js'
import { HostilePeer, manifestNotFound, poisoner } from '../kit/hostile/index.js'
import { MiB, makeFile, makeFolder, swarmStatus, useTestContext, waitForConnections } from './helpers/context.js'
import type { ShoalNode } from '../../src/index.js'

const PIECE = 16 * 1024

function gatewayUrl (node: ShoalNode): string {
  const url = node.status().gatewayUrl
  assert.ok(url !== undefined, 'status has no gatewayUrl')
  return url
}

async function get (url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number, headers: Headers, body: Buffer }> {
  const res = await fetch(url, { headers, method })
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

/** A raw request, for the headers fetch will not let a caller set (Host). */
async function raw (url: string, headers: Record<string, string>, method = 'GET'): Promise<number> {
  return await new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => { res.resume(); resolve(res.statusCode ?? 0) })
    req.on('error', reject)
    req.end()
  })
}

describe('integration: the HTTP gateway', function () {
  const ctx = useTestContext('gateway')

  it('answers every Range form with exactly the source bytes, HEAD, ETag and If-None-Match', async function () {
    this.timeout(60_000)
    const size = 5 * PIECE + 777
    const path = await makeFile(join(ctx.dir, 'src'), 'clip.webm', size)
    const source = await readFile(path)
    const seeder = await ctx.nodes.start('seeder', { content: { pieceSize: PIECE } })
    const { contentId } = await seeder.add(path)
    const url = `${gatewayUrl(seeder)}/content/${contentId}`

    const whole = await get(url)
    assert.equal(whole.status, 200)
    assert.ok(whole.body.equals(source), 'the whole file differs from the source')
    assert.equal(whole.headers.get('content-type'), 'video/webm')
    assert.equal(whole.headers.get('accept-ranges'), 'bytes')
    assert.equal(whole.headers.get('content-security-policy'), 'sandbox')
    assert.equal(whole.headers.get('x-content-type-options'), 'nosniff')
    const etag = whole.headers.get('etag') ?? ''
    assert.match(etag, /^"[^"]+"$/)

    const cases: Array<[string, number, number]> = [
      ['bytes=0-0', 0, 0],
      [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
      [`bytes=${PIECE - 10}-${PIECE + 10}`, PIECE - 10, PIECE + 10],
      [`bytes=${2 * PIECE + 5}-`, 2 * PIECE + 5, size - 1],
      ['bytes=-100', size - 100, size - 1],
      [`bytes=0-${size + 5000}`, 0, size - 1],
      [`bytes=-${size + 10}`, 0, size - 1]
    ]
    for (const [range, start, end] of cases) {
      const part = await get(url, { range })
      assert.equal(part.status, 206, range)
      assert.equal(part.headers.get('content-range'), `bytes ${start}-${end}/${size}`, range)
      assert.ok(part.body.equals(source.subarray(start, end + 1)), `${range}: the bytes differ from the source`)
    }
    const unsatisfiable = await get(url, { range: `bytes=${size}-` })
    assert.equal(unsatisfiable.status, 416)
    assert.equal(unsatisfiable.headers.get('content-range'), `bytes */${size}`)
    // several ranges, or a malformed header: the whole file
    assert.equal((await get(url, { range: 'bytes=0-1,5-9' })).status, 200)
    assert.equal((await get(url, { range: 'lines=1-2' })).status, 200)
    // If-Range with another tag: Range is ignored
    assert.equal((await get(url, { range: 'bytes=0-0', 'if-range': '"other"' })).status, 200)

    const head = await get(url, {}, 'HEAD')
    assert.equal(head.status, 200)
    assert.equal(head.headers.get('content-length'), String(size))
    assert.equal(head.body.length, 0)
    assert.equal((await get(url, { 'if-none-match': etag })).status, 304)
  })

  it('serves a file of a folder by its path, an empty file, and a folder as a listing', async function () {
    this.timeout(60_000)
    const root = await makeFolder(join(ctx.dir, 'src'))
    const seeder = await ctx.nodes.start('seeder', { content: { pieceSize: PIECE } })
    const { contentId } = await seeder.add(root)
    const base = `${gatewayUrl(seeder)}/content/${contentId}`
    const c = await readFile(join(root, 'sub', 'deeper', 'deepest', 'c.bin'))
    const file = await get(`${base}/sub/deeper/deepest/c.bin`, { range: 'bytes=1000-99999' })
    assert.equal(file.status, 206)
    assert.ok(file.body.equals(c.subarray(1000, 100000)))
    assert.ok((await get(`${base}/sub/b.bin`)).body.equals(await readFile(join(root, 'sub', 'b.bin'))))
    const unicode = await get(`${base}/${encodeURIComponent('héllo wörld 世界 🐟.txt')}`)
    assert.equal(unicode.status, 200)
    assert.equal(unicode.headers.get('content-type'), 'text/plain; charset=utf-8')

    const empty = await get(`${base}/empty.txt`)
    assert.equal(empty.status, 200)
    assert.equal(empty.body.length, 0)
    assert.equal((await get(`${base}/empty.txt`, { range: 'bytes=0-' })).status, 416)

    const listing = await get(`${base}/sub`)
    assert.equal(listing.status, 200)
    assert.match(listing.headers.get('content-type') ?? '', /^text\/html/)
    assert.match(listing.body.toString(), /href="[^"]*\/sub\/b\.bin"/)
    assert.match(listing.body.toString(), />deeper\/</)
    assert.equal((await get(`${base}/nope.bin`)).status, 404)
  })

  it('refuses another Host (DNS rebinding), other methods and an index of what the node holds', async function () {
    this.timeout(30_000)
    const path = await makeFile(join(ctx.dir, 'src'), 'a.bin', 1000)
    const seeder = await ctx.nodes.start('seeder')
    const { contentId } = await seeder.add(path)
    const gateway = gatewayUrl(seeder)
    const port = new URL(gateway).port
    assert.equal(await raw(`${gateway}/content/${contentId}`, { host: `rebound.example:${port}` }), 421)
    assert.equal(await raw(`${gateway}/content/${contentId}`, { host: `localhost:${port}` }), 200)
    assert.equal(await raw(`${gateway}/content/${contentId}`, { host: '127.0.0.1:1' }), 421)
    assert.equal((await get(`${gateway}/content/${contentId}`, {}, 'POST')).status, 405)
    assert.equal((await get(`${gateway}/`)).status, 404)
    assert.equal((await get(`${gateway}/content/`)).status, 404)
    assert.equal((await get(`${gateway}/content/not-a-cid`)).status, 400)
    assert.equal((await get(`${gateway}/content/${contentId}?${'x'.repeat(3000)}`)).status, 414)
    assert.equal(await raw(`${gateway}/content/${contentId}`, { 'x-filler': 'y'.repeat(10_000) }), 431)
  })

  it('answers 503 past its cap on concurrent requests, and serves again once they end', async function () {
    this.timeout(30_000)
    const path = await makeFile(join(ctx.dir, 'src'), 'a.bin', 1000)
    const seeder = await ctx.nodes.start('seeder')
    const { contentId } = await seeder.add(path)
    // a node alone: a request for content nobody has waits for its manifest
    const lonely = await ctx.nodes.start('lonely', { timeouts: { discovery: 20_000 } })
    const url = `${gatewayUrl(lonely)}/content/${contentId}`
    const abort = new AbortController()
    const waiting = Array.from({ length: GATEWAY.maxConcurrentRequests }, async () => await fetch(url, { signal: abort.signal }).catch(() => undefined))
    await new Promise(resolve => setTimeout(resolve, 500))
    const refused = await get(url)
    assert.equal(refused.status, 503)
    assert.equal(refused.headers.get('retry-after'), '1')
    abort.abort()
    await Promise.all(waiting)
    await new Promise(resolve => setTimeout(resolve, 200))
    // the aborted requests no longer count: the lonely node answers again
    assert.equal((await get(`${gatewayUrl(lonely)}/`)).status, 404)
  })

  it('downloads content it does not hold into its own folder and streams it as it arrives', async function () {
    this.timeout(60_000)
    const path = await makeFile(join(ctx.dir, 'src'), 'movie.mkv', 3 * MiB + 5)
    const seeder = await ctx.nodes.start('seeder', { content: { pieceSize: 64 * 1024 } })
    const { contentId } = await seeder.add(path)
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)] })
    await waitForConnections(leecher, [seeder.peerId])
    const url = `${gatewayUrl(leecher)}/content/${contentId}`
    const part = await get(url, { range: `bytes=${2 * MiB}-${2 * MiB + 99}` })
    assert.equal(part.status, 206)
    assert.ok(part.body.equals((await readFile(path)).subarray(2 * MiB, 2 * MiB + 100)))
    const whole = await get(url)
    assert.ok(whole.body.equals(await readFile(path)), 'the streamed file differs from the source')
    assert.equal(swarmStatus(leecher, contentId).path, join(leecher.config.dataDir, 'content', contentId))
  })

  it('with a capped download, a seek to the end is answered long before the download completes (its pieces are asked first)', async function () {
    this.timeout(60_000)
    const size = 4 * MiB
    const path = await makeFile(join(ctx.dir, 'src'), 'long.webm', size)
    const seeder = await ctx.nodes.start('seeder', { content: { pieceSize: 64 * 1024 } })
    const { contentId } = await seeder.add(path)
    // 4 MiB at 256 KiB/s: 16 s for all of it
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)], limits: { downloadRate: 256 * 1024 } })
    await waitForConnections(leecher, [seeder.peerId])
    const url = `${gatewayUrl(leecher)}/content/${contentId}`
    const started = Date.now()
    const first = await get(url, { range: 'bytes=0-99' })
    const tail = await get(url, { range: `bytes=${size - 200 * 1024}-` })
    const elapsed = Date.now() - started
    const source = await readFile(path)
    assert.ok(first.body.equals(source.subarray(0, 100)))
    assert.ok(tail.body.equals(source.subarray(size - 200 * 1024)))
    const status = swarmStatus(leecher, contentId)
    assert.equal(status.state, 'downloading', `the download completed before the seek was answered (${elapsed} ms)`)
    assert.ok(status.piecesHave < status.pieceCount / 2, `${status.piecesHave}/${status.pieceCount} pieces were fetched to answer two short ranges (${elapsed} ms)`)
  })

  it('sends no byte of a piece that failed verification: the response waits for a good copy', async function () {
    this.timeout(90_000)
    const path = await makeFile(join(ctx.dir, 'src'), 'target.bin', 4 * MiB)
    const seeder = await ctx.nodes.start('seeder', { content: { pieceSize: PIECE } })
    const added = await seeder.add(path)
    const poison = await HostilePeer.start({ pieces: { shape: { size: added.size, pieceSize: PIECE }, behaviour: poisoner() }, manifest: manifestNotFound() })
    ctx.defer(async () => { await poison.stop() })
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder), poison.address] })
    await waitForConnections(leecher, [seeder.peerId, poison.peerId])
    const whole = await get(`${gatewayUrl(leecher)}/content/${added.contentId}`)
    assert.equal(whole.status, 200)
    assert.ok(whole.body.equals(await readFile(path)), 'a byte of the response differs from the source')
    assert.ok(poison.stats.piecesSent >= 1, 'the poisoner was never asked for a piece')
    assert.ok(leecher.status().bans.some(b => b.peerId === poison.peerId), 'the poisoner was not caught')
  })
})
