import assert from 'node:assert/strict'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { BanList, banFilePath } from '../../../src/node/bans.js'
import { tempDir } from '../../helpers/temp.js'

describe('node/bans', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir('shoal-bans-') })
  afterEach(async () => { await dir.cleanup() })

  it('a ban holds until it expires, with its reason', () => {
    let now = 1000
    const bans = new BanList({ durationMs: 500, now: () => now })
    bans.ban('peer-A', 'sent bad pieces')
    assert.equal(bans.isBanned('peer-A'), true)
    assert.deepEqual(bans.list(), [{ peerId: 'peer-A', reason: 'sent bad pieces', until: 1500 }])
    now = 1500
    assert.equal(bans.isBanned('peer-A'), false)
    assert.deepEqual(bans.list(), [])
  })

  it('is saved to dataDir/bans.json (mode 0600) and loaded again, expired bans dropped', async () => {
    const path = banFilePath(dir.path)
    let now = 1000
    const first = await BanList.open({ durationMs: 500, path, now: () => now })
    first.ban('peer-A', 'liar')
    now = 1200
    first.ban('peer-B', 'flooder')
    await first.flush()
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.equal(JSON.parse(await readFile(path, 'utf8')).bans.length, 2)

    now = 1600 // A (until 1500) expired, B (until 1700) not
    const second = await BanList.open({ durationMs: 500, path, now: () => now })
    assert.equal(second.isBanned('peer-A'), false)
    assert.equal(second.isBanned('peer-B'), true)
    assert.deepEqual(second.list().map(b => b.reason), ['flooder'])
  })

  it('a missing or damaged file is an empty list', async () => {
    const path = join(dir.path, 'bans.json')
    assert.deepEqual((await BanList.open({ durationMs: 1000, path })).list(), [])
    await writeFile(path, '{ not json')
    assert.deepEqual((await BanList.open({ durationMs: 1000, path })).list(), [])
    await writeFile(path, JSON.stringify({ version: 1, bans: [{ peerId: 3 }, { peerId: 'p', reason: 'r', until: Date.now() + 60_000 }] }))
    assert.deepEqual((await BanList.open({ durationMs: 1000, path })).list().map(b => b.peerId), ['p'])
  })

  it('the gater refuses a banned peer by peer id', () => {
    const bans = new BanList({ durationMs: 60_000 })
    bans.ban('peer-A', 'x')
    const gater = bans.gater()
    const peer = { toString: () => 'peer-A' } as any
    const other = { toString: () => 'peer-B' } as any
    assert.equal(gater.denyDialPeer?.(peer), true)
    assert.equal(gater.denyInboundEncryptedConnection?.(peer, undefined as any), true)
    assert.equal(gater.denyDialPeer?.(other), false)
  })

  it('keeps at most maxBans: past it the oldest ban goes, also of those loaded from the file', async () => {
    const path = banFilePath(dir.path)
    const first = await BanList.open({ durationMs: 60_000, path, maxBans: 100 })
    for (let n = 0; n < 1000; n++) first.ban(`peer-${n}`, 'churn')
    assert.equal(first.list().length, 100)
    assert.equal(first.isBanned('peer-899'), false)
    assert.equal(first.isBanned('peer-900'), true)
    await first.flush()
    const second = await BanList.open({ durationMs: 60_000, path, maxBans: 10 })
    assert.deepEqual(second.list().map(b => b.peerId), Array.from({ length: 10 }, (_, n) => `peer-${990 + n}`))
  })

  it('saves a burst of bans in one write, saveDelayMs after the first', async () => {
    const path = banFilePath(dir.path)
    const bans = await BanList.open({ durationMs: 60_000, path, saveDelayMs: 200 })
    bans.ban('peer-A', 'x')
    await new Promise(resolve => setTimeout(resolve, 50))
    bans.ban('peer-B', 'x')
    await assert.rejects(stat(path), 'nothing is written before the delay')
    await new Promise(resolve => setTimeout(resolve, 400))
    assert.equal(JSON.parse(await readFile(path, 'utf8')).bans.length, 2)
    bans.ban('peer-C', 'x')
    await bans.flush() // at once, without waiting for the delay
    assert.equal(JSON.parse(await readFile(path, 'utf8')).bans.length, 3)
  })
})
