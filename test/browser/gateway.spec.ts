/**
 * A video played in a real browser (Debian's chromium through playwright-core) from a leecher's
 * gateway while the leecher's download is capped at twice the media's bit rate: playback starts
 * before the download completes, currentTime advances, a seek to the middle plays. The WebM is
 * made here with ffmpeg. Figures (first frame, stalls, seek) are printed for the README.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createServer } from 'node:http'
import { mkdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ShoalProcess, killAll } from '../e2e/helpers/shoal-process.js'
import { tempDir } from '../helpers/temp.js'
import { launchChromium } from './chromium.js'
import type { Browser } from 'playwright-core'
import type { AddressInfo } from 'node:net'
import type { Server } from 'node:http'

/** The page's globals, inside functions that run in the browser (the tests compile without the DOM's types). */
declare const document: any
declare const window: any

const SECONDS = 20
const PIECE_SIZE = 16 * 1024

/** A WebM of `seconds` of a test pattern, a keyframe a second (so a seek lands near where it asks). */
async function makeWebm (path: string, seconds: number): Promise<void> {
  await promisify(execFile)('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', String(seconds),
    '-c:v', 'libvpx', '-b:v', '200k', '-minrate', '200k', '-maxrate', '200k', '-g', '25', '-deadline', 'realtime', '-cpu-used', '8', '-an', path]).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ENOENT' ? new Error('ffmpeg is missing: the playback test makes its video with it (apt-get install ffmpeg)') : err
  })
}

/** A page on its own origin with one <video> of `src`, recording the events the test reads. */
async function pageServer (src: string): Promise<{ server: Server, url: string }> {
  const html = `<!doctype html><meta charset="utf-8"><video id="v" muted playsinline preload="auto" src="${src}"></video>
<script>
const v = document.getElementById('v')
window.log = { start: performance.now(), events: [] }
for (const type of ['loadedmetadata', 'playing', 'waiting', 'seeking', 'seeked', 'error', 'stalled']) {
  v.addEventListener(type, () => { window.log.events.push({ type, at: performance.now() - window.log.start, time: v.currentTime }) })
}
v.play().catch(e => window.log.events.push({ type: 'play-failed', message: String(e) }))
</script>`
  const server = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }); res.end(html) })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` }
}

interface PageEvent { type: string, at: number, time: number }

describe('browser: a video streamed from a leecher\'s gateway', function () {
  this.timeout(240_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let browser: Browser
  let page: Server | undefined

  before(async function () {
    browser = await launchChromium(this)
    dir = await tempDir('shoal-browser-gateway-')
  })
  after(async () => {
    page?.close()
    await browser?.close()
    await killAll()
    await dir?.cleanup()
  })

  it('plays before the capped download completes, currentTime advances, and a seek to the middle plays', async () => {
    const media = join(dir.path, 'src', 'clip.webm')
    await mkdir(join(dir.path, 'src'), { recursive: true })
    await makeWebm(media, SECONDS)
    const { size } = await stat(media)
    const bitRate = size / SECONDS
    const seeder = await ShoalProcess.create(join(dir.path, 'seeder'), { content: { pieceSize: PIECE_SIZE } })
    const contentId = await seeder.add(media)
    const leecher = await ShoalProcess.create(join(dir.path, 'leecher'), {
      bootstrap: [(await seeder.status()).addresses[0]],
      limits: { downloadRate: Math.max(1024, Math.round(2 * bitRate)) }
    })
    const gatewayUrl = ((await leecher.status()) as unknown as { gatewayUrl: string }).gatewayUrl
    const served = await pageServer(`${gatewayUrl}/content/${contentId}`)
    page = served.server
    const tab = await browser.newPage()
    const loadedAt = Date.now()
    await tab.goto(served.url)

    const events = async (): Promise<PageEvent[]> => await tab.evaluate(() => window.log.events)
    const currentTime = async (): Promise<number> => await tab.evaluate(() => document.getElementById('v').currentTime)
    await tab.waitForFunction(() => document.getElementById('v').currentTime > 1, undefined, { timeout: 60_000 })
    const playedOneSecondMs = Date.now() - loadedAt
    const firstPlaying = (await events()).find(e => e.type === 'playing')
    assert.ok(firstPlaying !== undefined, `never playing: ${JSON.stringify(await events())}`)
    const swarm = (await leecher.status()).swarms.find(s => s.contentId === contentId)
    assert.ok(swarm !== undefined && swarm.state === 'downloading', `the download completed before playback began: ${JSON.stringify(swarm)}`)
    const before = await currentTime()
    await new Promise(resolve => setTimeout(resolve, 1500))
    assert.ok(await currentTime() > before, 'currentTime does not advance')

    const duration = await tab.evaluate(() => document.getElementById('v').duration) as number
    const middle = (Number.isFinite(duration) ? duration : SECONDS) / 2
    await tab.evaluate((to: number) => { window.log.seekAt = performance.now(); document.getElementById('v').currentTime = to }, middle)
    // playing again: the time moves on from where it was sent
    await tab.waitForFunction((to: number) => { const v = document.getElementById('v'); if (v.currentTime > to + 0.2 && window.log.seekPlaying === undefined) window.log.seekPlaying = performance.now(); return v.currentTime > to + 1 }, middle, { timeout: 60_000, polling: 20 })
    const seekMs = await tab.evaluate(() => window.log.seekPlaying - window.log.seekAt) as number
    const all = await events()
    assert.deepEqual(all.filter(e => e.type === 'error' || e.type === 'play-failed'), [])
    // a stall: waiting while playing (not the wait a seek itself causes), until playing again
    const seeking = all.find(e => e.type === 'seeking')?.at ?? Infinity
    const stalls = all.filter(e => e.type === 'waiting' && e.at > firstPlaying.at && Math.abs(e.at - seeking) > 50).map(e => ({ afterSeek: e.at > seeking, ms: (all.find(p => p.type === 'playing' && p.at > e.at)?.at ?? e.at) - e.at }))
    const describeStalls = (list: typeof stalls): string => `${list.length}${list.length === 0 ? '' : ` (${list.map(s => `${s.ms.toFixed(0)} ms`).join(', ')})`}`
    if (process.env.GATEWAY_DEBUG === "1") process.stderr.write(`${JSON.stringify(all)}\n`)
    process.stderr.write(`      gateway figures: media ${(size / 1024).toFixed(0)} KiB, ${(8 * bitRate / 1000).toFixed(0)} kbit/s; download capped at ${(2 * bitRate / 1024).toFixed(0)} KiB/s; ` +
      `first frame playing ${firstPlaying.at.toFixed(0)} ms after the page loaded; 1 s played ${playedOneSecondMs} ms after it loaded; stalls while playing ${describeStalls(stalls.filter(s => !s.afterSeek))} before the seek, ${describeStalls(stalls.filter(s => s.afterSeek))} after it; seek to the middle playing after ${seekMs.toFixed(0)} ms\n`)
    await tab.close()
  })
})
