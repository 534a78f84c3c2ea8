import assert from 'node:assert/strict'
import { bytesHave, swarmInfo, swarmStatus } from '../../../src/swarm/status.js'
import { makeContent, until } from '../fixtures.js'
import { downloadHere, known, openable, seedHere } from './fakes.js'
import type { Parts } from './fakes.js'

const content = known(makeContent([{ path: 'data.bin', size: 3 * 16 * 1024 + 10 }]))
const contentId = content.cid.toString()

describe('swarm/status', () => {
  let p: Parts
  beforeEach(() => { p = openable() })
  afterEach(async () => { await p.stop() })

  it('a seeding swarm, as `status --json` shows it', async () => {
    const { swarm } = await seedHere(p, '/seed/data.bin', content)
    const status = swarmStatus(swarm)
    assert.deepEqual(status, {
      contentId,
      name: 'data.bin',
      path: '/seed/data.bin',
      directory: false,
      size: content.data.byteLength,
      pieceSize: 16 * 1024,
      pieceCount: 4,
      piecesHave: 4,
      state: 'seeding',
      peers: 0,
      uploaded: 0,
      downloaded: 0,
      uploadRate: 0,
      downloadRate: 0,
      startedAt: swarm.startedAt,
      seederCopies: 0
    })
    assert.deepEqual(swarmStatus(swarm, { peers: true }).peerDetails, [])
  })

  it('with peers: one entry per peer, and the swarms view\'s snapshot derived from the same projection', async () => {
    const { swarm } = downloadHere(p, '/dl', content)
    p.network.seeders.set('seeder', content)
    await p.network.connect('seeder', contentId)
    const [peer] = swarmStatus(swarm, { peers: true }).peerDetails ?? []
    assert.equal(peer.peerId, 'seeder')
    assert.equal(peer.seed, true)
    assert.equal(peer.piecesHave, 4)
    assert.deepEqual(Object.keys(peer).sort(), ['choked', 'chokingUs', 'downloadRate', 'downloaded', 'peerId', 'piecesHave', 'requestsOut', 'requestsQueued', 'seed', 'snubbed', 'uploadRate', 'uploaded'])
    const info = swarmInfo(swarm)
    const { name, state, size, pieceCount, piecesHave } = swarmStatus(swarm)
    assert.deepEqual(info, { contentId, name, state, size, pieceCount, piecesHave, peers: ['seeder'] })
    assert.ok(Object.isFrozen(info) && Object.isFrozen(info.peers))
    await until(() => swarm.state === 'seeding', 5000, 'the download')
    assert.equal(swarmStatus(swarm).completedAt !== undefined, true)
  })

  it('ETA only while a download moves; seeder copies as uploaded / size', async () => {
    const { swarm } = downloadHere(p, '/dl', content)
    assert.equal(swarmStatus(swarm).eta, undefined, 'no rate yet, no ETA')
    swarm.have.set(0)
    swarm.downloadMeter.add(64 * 1024)
    const { eta } = swarmStatus(swarm)
    const left = content.data.byteLength - 16 * 1024
    assert.ok(eta !== undefined && eta >= 1 && eta <= Math.ceil(left / swarm.downloadMeter.rate()) + 1, `eta ${String(eta)}`)
    const seeding = (await seedHere(p, '/seed/data.bin', content)).swarm
    assert.equal(swarmStatus(seeding).eta, undefined)
    ;(seeding as unknown as { uploader: { uploaded: number } }).uploader.uploaded = Math.round(content.data.byteLength * 2.5)
    assert.equal(swarmStatus(seeding).seederCopies, 2.5)
  })

  it('bytesHave counts the short last piece at its own length', async () => {
    const { swarm } = downloadHere(p, '/dl', content)
    assert.equal(bytesHave(swarm), 0)
    swarm.have.set(0)
    assert.equal(bytesHave(swarm), 16 * 1024)
    swarm.have.set(3)
    assert.equal(bytesHave(swarm), 16 * 1024 + 10)
  })
})
