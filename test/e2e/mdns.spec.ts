/**
 * LAN discovery with real processes (issue 16, items 1 and 6c): two `shoal start` nodes on
 * one machine with empty bootstrap lists, no DHT and mDNS on find each other, and a get by
 * content id alone completes. Skips, saying why, where multicast does not loop back.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { multicastLoopsBack } from '../helpers/multicast.js'
import { randomFile, tempDir } from '../helpers/temp.js'
import { ShoalProcess, explain, killAll, lastLine, sha256 } from './helpers/shoal-process.js'

const LAN = { bootstrap: [], dht: { enabled: false }, mdns: { enabled: true } }

describe('e2e: mDNS', function () {
  this.timeout(120_000)
  let dir: { path: string, cleanup: () => Promise<void> }

  before(async function () {
    if (!(await multicastLoopsBack())) {
      console.log('      (skipped: multicast does not loop back on this machine, so nodes here cannot find each other by mDNS)')
      this.skip()
    }
  })
  beforeEach(async () => { dir = await tempDir('shoal-e2e-mdns-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  it('two nodes with empty bootstrap lists find each other; get by content id alone works', async () => {
    const source = join(dir.path, 'file.bin')
    await randomFile(source, 3 * 1024 * 1024)
    const seeder = await ShoalProcess.create(join(dir.path, 'seeder'), LAN)
    const leecher = await ShoalProcess.create(join(dir.path, 'leecher'), LAN)
    const contentId = await seeder.add(source)
    const output = join(dir.path, 'out.bin')
    const got = await leecher.shoal('get', contentId, '--output', output, '--timeout', '60s')
    assert.equal(got.code, 0, explain(got))
    assert.equal(lastLine(got.stdout), output)
    assert.equal(await sha256(output), await sha256(source))
  })
})
