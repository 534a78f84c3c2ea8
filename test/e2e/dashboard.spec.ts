/**
 * `shoal dashboard` with real processes, without a browser: the one-time URL last on stdout,
 * its code traded once for a session cookie, and a clear error without a running node.
 */
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ShoalProcess, explain, killAll, lastLine, runShoal, writeConfig } from './helpers/shoal-process.js'
import { tempDir } from '../helpers/temp.js'

describe('e2e: shoal dashboard', function () {
  this.timeout(120_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir('shoal-e2e-dashboard-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  it('prints a one-time login URL last; the code gives a session cookie once; the token appears nowhere', async () => {
    const node = await ShoalProcess.create(join(dir.path, 'node'))
    const api = (await readFile(join(node.dataDir, 'api'), 'utf8')).trim()
    const token = (await readFile(join(node.dataDir, 'api.token'), 'utf8')).trim()
    const r = await node.shoal('dashboard')
    assert.equal(r.code, 0, explain(r))
    const url = lastLine(r.stdout)
    assert.match(url, new RegExp(`^${api}/dashboard/login\\?code=[A-Za-z0-9_-]{22,}$`))
    assert.ok(!(r.stdout + r.stderr + node.stdout + node.stderr).includes(token))

    const login = await fetch(url, { redirect: 'manual' })
    assert.equal(login.status, 303)
    assert.equal(login.headers.get('location'), '/dashboard/')
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]
    assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict; Path=\//)
    const status = await fetch(`${api}/v1/status`, { headers: { cookie } })
    assert.equal(status.status, 200)
    assert.equal((await status.json() as { peerId: string }).peerId, (await node.status()).peerId)
    assert.equal((await fetch(url, { redirect: 'manual' })).status, 401, 'a code works once')
    assert.equal((await fetch(`${api}/v1/status`)).status, 401)
  })

  it('without a running node: one line saying how to start one, exit 1', async () => {
    const config = await writeConfig(join(dir.path, 'none'))
    const r = await runShoal(['dashboard', '--config', config])
    assert.equal(r.code, 1, explain(r))
    assert.match(r.stderr, /^shoal: no running node found for .* \(start one with: shoal start --config .*\)\n$/)
    assert.equal(r.stdout, '')
  })
})
