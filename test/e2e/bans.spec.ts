import assert from 'node:assert/strict'
import { join } from 'node:path'
import { tempDir } from '../helpers/temp.js'
import { HostilePeer, floodStreams } from '../kit/hostile/index.js'
import { ShoalProcess, killAll } from './helpers/shoal-process.js'

interface BanStatus { bans: Array<{ peerId: string, reason: string, until: number }> }

describe('e2e: bans in shoal status --json', function () {
  this.timeout(60_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let hostile: HostilePeer | undefined

  beforeEach(async () => { dir = await tempDir('shoal-e2e-bans-') })
  afterEach(async () => {
    await hostile?.stop()
    await killAll()
    await dir.cleanup()
  })

  async function bans (node: ShoalProcess): Promise<BanStatus['bans']> {
    return (await node.status() as unknown as BanStatus).bans
  }

  it('lists a banned peer with its reason and expiry, also after the node restarts', async function () {
    hostile = await HostilePeer.start({})
    const node = await ShoalProcess.create(join(dir.path, 'node'))
    const { addresses } = await node.status()
    // garbage in place of a piece-exchange handshake: a protocol violation
    await floodStreams(hostile, addresses[0], { streams: 1, payload: 'garbage', concurrency: 1 }).catch(() => [])
    let listed: BanStatus['bans'] = []
    for (let i = 0; i < 50 && listed.length === 0; i++) {
      listed = await bans(node)
      if (listed.length === 0) await new Promise(resolve => setTimeout(resolve, 200))
    }
    assert.equal(listed.length, 1, 'the peer was not banned')
    assert.equal(listed[0].peerId, hostile.peerId)
    assert.match(listed[0].reason, /undecodable|frame|handshake|malformed/)
    assert.ok(listed[0].until > Date.now() + 50 * 60 * 1000, 'the ban is shorter than the 1 h default')

    assert.equal((await node.kill()).code, 0)
    const again = await ShoalProcess.start(node.configPath)
    assert.deepEqual(await bans(again), listed)
    const text = await again.shoal('status')
    assert.match(text.stdout, new RegExp(`banned:\\s+${hostile.peerId} until .*: ${listed[0].reason.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`))
  })
})
