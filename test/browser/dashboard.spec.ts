/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against real
 * `shoal` processes: the login URL from `shoal dashboard`, a capped download's progress and
 * piece map moving, the peers table against `status --json --peers`, content added and got
 * and stopped from the page, and nothing for a browser without the login (or from another
 * origin). Screenshots go to test/browser/screenshots/ (gitignored).
 */
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ShoalProcess, explain, killAll, lastLine, runShoal, sha256 } from '../e2e/helpers/shoal-process.js'
import { randomFile, tempDir } from '../helpers/temp.js'
import { launchChromium } from './chromium.js'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { AddressInfo } from 'node:net'

/** The page's document, inside functions that run in the browser (the tests compile without the DOM's types). */
declare const document: any

const KiB = 1024
/** 4 MiB from a seeder capped at 512 KiB/s: about eight seconds of download to watch. */
const SIZE = 4096 * KiB
const UPLOAD_RATE = 512 * KiB
const PIECE_SIZE = 16 * KiB
/** The repository's test/browser/screenshots (the tests run from dist/test/browser). */
const SCREENSHOTS = fileURLToPath(new URL('../../../test/browser/screenshots/', import.meta.url))

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

interface PeerDetail { peerId: string, seed: boolean, piecesHave: number, choked: boolean, chokingUs: boolean, snubbed: boolean, direction?: string, remoteAddress?: string }

describe('browser: the dashboard', function () {
  this.timeout(240_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let browser: Browser
  let seeder: ShoalProcess
  let leecher: ShoalProcess
  let api: string

  before(async function () {
    browser = await launchChromium(this)
    await mkdir(SCREENSHOTS, { recursive: true })
    dir = await tempDir('shoal-browser-')
    seeder = await ShoalProcess.create(join(dir.path, 'seeder'), { limits: { uploadRate: UPLOAD_RATE }, content: { pieceSize: PIECE_SIZE } })
    leecher = await ShoalProcess.create(join(dir.path, 'leecher'), { bootstrap: [(await seeder.status()).addresses[0]], content: { pieceSize: PIECE_SIZE } })
    api = (await readFile(join(leecher.dataDir, 'api'), 'utf8')).trim()
  })
  let pageErrors: string[] = []
  beforeEach(() => { pageErrors = [] })
  afterEach(() => {
    assert.deepEqual(pageErrors, [], 'errors on the dashboard page')
  })
  after(async () => {
    await browser?.close()
    await killAll()
    await dir?.cleanup()
  })

  /** A browser tab logged in through the URL `shoal dashboard` prints last. */
  async function openDashboard (viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext, page: Page }> {
    const r = await leecher.shoal('dashboard')
    assert.equal(r.code, 0, explain(r))
    const url = lastLine(r.stdout)
    assert.match(url, new RegExp(`^${api}/dashboard/login\\?code=[A-Za-z0-9_-]{22,}$`))
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp((await readFile(join(leecher.dataDir, 'api.token'), 'utf8')).trim()))
    const context = await browser.newContext({ viewport })
    const page = await context.newPage()
    page.on('dialog', (dialog) => { void dialog.accept() })
    // a script error or a CSP violation on the page fails the test that made it (checked in afterEach)
    page.on('pageerror', (err) => { pageErrors.push(err.message) })
    page.on('console', (message) => { if (message.type() === 'error') pageErrors.push(message.text()) })
    await page.goto(url)
    assert.equal(page.url(), `${api}/dashboard/`, 'the code leaves the address bar')
    return { context, page }
  }

  it('opens logged in from `shoal dashboard`; a capped download\'s progress and piece map move; the peers table agrees with status --peers', async () => {
    const { context, page } = await openDashboard()
    const status = await leecher.status()
    await page.locator('#peer-id').filter({ hasText: status.peerId }).waitFor()
    assert.equal(await page.locator('#addresses li').count(), status.addresses.length)

    const source = join(dir.path, 'src', 'capped.bin')
    await mkdir(join(dir.path, 'src'), { recursive: true })
    await randomFile(source, SIZE)
    const contentId = await seeder.add(source)
    const output = join(dir.path, 'out', 'capped.bin')
    const get = runShoal(['get', contentId, '--output', output, '--config', leecher.configPath], { timeoutMs: 180_000 })

    const row = page.locator(`#swarms tr[data-cid="${contentId}"]`)
    await row.waitFor({ timeout: 30_000 })
    await row.getByRole('button', { name: 'capped.bin', exact: true }).click()
    await page.locator('#detail').waitFor({ state: 'visible' })

    // progress and the piece map's "have" count, seen at several points of the download
    const seen: Array<{ value: number, have: number }> = []
    let peersChecked = false
    let shot = false
    for (let i = 0; i < 400; i++) {
      const value = Number(await row.locator('progress').getAttribute('value'))
      const have = Number(/^(\d+) have/.exec(await page.locator('#piece-summary').textContent() ?? '')?.[1] ?? -1)
      if (seen.at(-1)?.value !== value) seen.push({ value, have })
      if (!peersChecked && value > 0 && value < SIZE / PIECE_SIZE / 2) peersChecked = await peersAgree(page, contentId)
      if (!shot && value >= SIZE / PIECE_SIZE * 0.6) {
        await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-downloading.png'), fullPage: true })
        shot = true
      }
      if (value === SIZE / PIECE_SIZE) break
      await sleep(100)
    }
    const moving = seen.filter(s => s.value > 0 && s.value < SIZE / PIECE_SIZE)
    assert.ok(moving.length >= 3, `progress seen mid-download at ${moving.length} values: ${JSON.stringify(seen)}`)
    assert.ok(moving.every((s, i) => i === 0 || s.value > moving[i - 1].value), 'progress only grows')
    assert.ok(moving.filter(s => s.have > 0).length >= 2 && new Set(moving.map(s => s.have)).size >= 2, `the piece map fills: ${JSON.stringify(moving)}`)
    assert.ok(peersChecked, 'the peers table was compared mid-download')

    const got = await get
    assert.equal(got.code, 0, explain(got))
    assert.equal(await sha256(output), await sha256(source))
    await page.locator('#piece-summary').filter({ hasText: `${SIZE / PIECE_SIZE} have, 0 in flight, 0 missing` }).waitFor()
    await row.locator('.state').filter({ hasText: 'seeding' }).waitFor()
    await sleep(1500)
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-complete.png'), fullPage: true })
    await context.close()
  })

  /** The page's peers table against `status --json --peers` at the same moment (stable fields only). */
  async function peersAgree (page: Page, contentId: string): Promise<boolean> {
    const r = await leecher.shoal('status', '--json', '--peers')
    const swarm = (JSON.parse(r.stdout) as { swarms: Array<{ contentId: string, pieceCount: number, peerDetails: PeerDetail[] }> }).swarms.find(s => s.contentId === contentId)
    assert.ok(swarm !== undefined && swarm.peerDetails.length > 0, r.stdout)
    await page.waitForFunction((ids) => {
      const rows = [...document.querySelectorAll('#peers tbody tr')].map(tr => tr.getAttribute('data-peer'))
      return ids.every(id => rows.includes(id)) && rows.length === ids.length
    }, swarm.peerDetails.map(p => p.peerId), { timeout: 10_000 })
    for (const peer of swarm.peerDetails) {
      const cells = await page.locator(`#peers tr[data-peer="${peer.peerId}"] td`).allTextContents()
      assert.equal(peer.direction, 'outbound', 'the leecher dialled its bootstrap peer')
      assert.equal(cells[0], `${peer.peerId}${peer.remoteAddress ?? ''}`)
      assert.equal(cells[1], peer.direction)
      assert.equal(cells[2], peer.seed ? 'seed' : `${peer.piecesHave}/${swarm.pieceCount}`)
      assert.match(cells[5], /^we (choke|serve) them, they (choke|serve) us/)
      assert.ok(cells[5].includes(peer.chokingUs ? 'they choke us' : 'they serve us'), `${cells[5]} vs ${JSON.stringify(peer)}`)
    }
    return true
  }

  it('adds a path from the page (another node gets it), gets a content id and a ticket into a folder, stops a swarm', async () => {
    const { context, page } = await openDashboard()
    const source = join(dir.path, 'leecher', 'made-here.bin')
    await randomFile(source, 200 * KiB)
    await page.getByLabel('Path of a file or folder on this machine (absolute)').fill(source)
    await page.getByRole('button', { name: 'Add and seed' }).click()
    const added = page.locator('#action-result').filter({ hasText: /^added made-here\.bin: / })
    await added.waitFor({ timeout: 30_000 })
    const contentId = (await added.textContent() ?? '').replace(/^added made-here\.bin: /, '')
    const elsewhere = join(dir.path, 'seeder-out', 'made-here.bin')
    const got = await seeder.run(['get', contentId, '--output', elsewhere], { timeoutMs: 120_000 })
    assert.equal(got.code, 0, explain(got))
    assert.equal(await sha256(elsewhere), await sha256(source))

    const other = join(dir.path, 'src', 'small.bin')
    await mkdir(join(dir.path, 'src'), { recursive: true })
    await randomFile(other, 100 * KiB)
    const otherId = await seeder.add(other)
    const folder = join(dir.path, 'page-gets')
    await page.getByLabel('Content id').fill(otherId)
    await page.getByLabel('Into the folder (absolute)').fill(folder)
    await page.getByRole('button', { name: 'Get', exact: true }).click()
    await page.locator('#action-result').filter({ hasText: `got ${otherId} into ${join(folder, 'small.bin')}` }).waitFor({ timeout: 60_000 })
    assert.equal(await sha256(join(folder, 'small.bin')), await sha256(other))

    // by ticket: the page has the node dial the peers it names, then gets the content id in it
    const third = join(dir.path, 'src', 'by-ticket.bin')
    await randomFile(third, 50 * KiB)
    const thirdId = await seeder.add(third)
    const ticket = await seeder.run(['ticket', thirdId])
    assert.equal(ticket.code, 0, explain(ticket))
    await page.getByLabel('Content id').fill(ticket.stdout.trim().split('\n').at(-1) ?? '')
    await page.getByRole('button', { name: 'Get', exact: true }).click()
    await page.locator('#action-result').filter({ hasText: `got ${thirdId} into ${join(folder, 'by-ticket.bin')}` }).waitFor({ timeout: 60_000 })
    assert.equal(await sha256(join(folder, 'by-ticket.bin')), await sha256(third))

    await page.getByRole('button', { name: 'Stop small.bin' }).click()
    await page.locator('#action-result').filter({ hasText: 'stopped small.bin' }).waitFor()
    await page.locator(`#swarms tr[data-cid="${otherId}"]`).waitFor({ state: 'detached' })
    assert.equal((await leecher.status()).swarms.some(s => s.contentId === otherId), false)
    await context.close()
  })

  it('reads at phone width, and the keyboard reaches the swarm buttons and the forms', async () => {
    const { context, page } = await openDashboard({ width: 390, height: 844 })
    await page.locator('#swarms tbody tr').first().waitFor()
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `the page is ${width} px wide at a 390 px viewport`)
    await sleep(1000)
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-phone.png'), fullPage: true })
    const focused: string[] = []
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab')
      focused.push(await page.evaluate(() => `${document.activeElement?.tagName ?? ''}:${document.activeElement?.textContent?.trim().slice(0, 20) ?? ''}`))
    }
    assert.ok(focused.some(f => f.startsWith('BUTTON:capped.bin')), focused.join(' | '))
    assert.ok(focused.some(f => f.startsWith('BUTTON:Stop')), focused.join(' | '))
    await context.close()
  })

  it('without the login code a browser gets nothing (401, no data); another origin is refused', async () => {
    const fresh = await browser.newContext()
    const page = await fresh.newPage()
    const peerId = (await leecher.status()).peerId
    for (const path of ['/dashboard/', '/dashboard/app.js', '/v1/status', '/v1/events']) {
      const answer = await page.goto(`${api}${path}`)
      assert.equal(answer?.status(), 401, path)
      assert.ok(!(await answer?.text() ?? '').includes(peerId), path)
    }
    await page.goto(`${api}/dashboard/`)
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-logged-out.png') })
    await fresh.close()

    // a page on another port of the same host (same site: the SameSite cookie goes along) reads nothing
    const { context, page: logged } = await openDashboard()
    const evil = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' })
      // a read (no-cors: the browser sends it with the cookie, whatever it lets the page see), then a forged form post
      res.end(req.url === '/form'
        ? `<form method="post" action="${api}/v1/stop" enctype="text/plain"><input name="x" value="y"></form><script>document.forms[0].submit()</script>`
        : `<script>fetch('${api}/v1/status', { credentials: 'include', mode: 'no-cors' }).then(() => { document.title = 'sent' }, () => { document.title = 'failed' })</script>`)
    })
    await new Promise<void>(resolve => evil.listen(0, '127.0.0.1', resolve))
    const evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`
    const statuses: number[] = []
    logged.on('response', (res) => { if (res.url().startsWith(`${api}/v1/status`)) statuses.push(res.status()) })
    await logged.goto(`${evilUrl}/`)
    await logged.waitForFunction(() => document.title !== '', undefined, { timeout: 10_000 })
    assert.deepEqual(statuses, [403], 'the node refused the read from another origin, cookie and all')
    const [posted] = await Promise.all([logged.waitForResponse(`${api}/v1/stop`), logged.goto(`${evilUrl}/form`)])
    assert.equal(posted.status(), 403)
    assert.equal((await leecher.shoal('status')).code, 0, 'the node still runs')
    // and with the session's cookie, straight from a client that names another Origin
    const cookies = await context.cookies(api)
    const answer = await fetch(`${api}/v1/status`, { headers: { cookie: cookies.map(c => `${c.name}=${c.value}`).join('; '), origin: 'http://evil.example' } })
    assert.equal(answer.status, 403)
    const own = await fetch(`${api}/v1/status`, { headers: { cookie: cookies.map(c => `${c.name}=${c.value}`).join('; '), origin: api } })
    assert.equal(own.status, 200)
    evil.close()
    await context.close()
    // the refusals above are the errors this tab was meant to see
    pageErrors = pageErrors.filter(e => !/status of (403|404)/.test(e))
  })
})
