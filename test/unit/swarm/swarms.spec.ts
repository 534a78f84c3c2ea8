import assert from 'node:assert/strict'
import { Bitfield } from '../../../src/core/bitfield.js'
import { Swarms } from '../../../src/swarm/swarms.js'
import { makeContent, until } from '../fixtures.js'
import { known, limits, logger, parts, timeouts } from './fakes.js'
import type { TouchableStore } from './fakes.js'

const content = known(makeContent([{ path: 'data.bin', size: 4 * 16 * 1024 }]))
const contentId = content.cid.toString()

describe('swarm/swarms', () => {
  let p: ReturnType<typeof parts>
  let swarms: Swarms
  const build = (): Swarms => new Swarms({ ...p, limits, timeouts, pieceSize: 0, maxManifestSize: 1 << 20, logger })
  beforeEach(() => {
    p = parts()
    swarms = build()
  })
  afterEach(async () => { await swarms.stop() })

  it('add seeds content in place, on record with its files, and announces it; adding it again changes nothing', async () => {
    await p.storage.put('/data.bin', content)
    await swarms.start()
    const result = await swarms.add('/data.bin')
    assert.deepEqual(result, { contentId, name: 'data.bin', size: content.data.byteLength, pieceCount: 4, path: '/data.bin' })
    assert.deepEqual(p.records.list, [{ contentId, path: '/data.bin', origin: 'seed', files: [[content.data.byteLength, 0]] }])
    assert.equal(p.records.manifests.get(contentId), content.manifestBytes)
    assert.deepEqual(p.network.provided, [contentId])
    const entry = p.registry.get(contentId)
    assert.deepEqual(await swarms.add('/data.bin'), result)
    assert.equal(p.registry.get(contentId), entry)
    assert.deepEqual(swarms.status().map(s => [s.contentId, s.state, s.piecesHave]), [[contentId, 'seeding', 4]])
  })

  it('a served file found changed on a read is checked at once, and the swarm reopened from its files', async () => {
    await p.storage.put('/data.bin', content)
    await swarms.start()
    await swarms.add('/data.bin')
    const before = p.registry.get(contentId)
    const store = p.storage.stores.get('/data.bin') as TouchableStore
    store.version++
    store.onChanged?.()
    await until(() => p.registry.get(contentId) !== before && p.registry.get(contentId)?.swarm.state === 'seeding', 3000, 'the reopen')
    assert.deepEqual(p.records.list[0].files, [[content.data.byteLength, 1]])
  })

  it('start brings back the swarms on record and announces them; one that cannot be restored stays on the list', async () => {
    await p.storage.put('/data.bin', content)
    const partial = known(makeContent([{ path: 'part.bin', size: 3 * 16 * 1024 }]))
    const partialId = partial.cid.toString()
    await p.records.saveManifest(contentId, content.manifestBytes)
    await p.records.saveManifest(partialId, partial.manifestBytes)
    const have = new Bitfield(3)
    have.set(1)
    await p.records.have(partialId).save(have)
    // the download's files are at full size (pieces written) and its have record says which are in
    p.storage.open({ root: '/part.bin', manifest: partial.manifest, mode: 'write' })
    p.records.list = [
      { contentId, path: '/data.bin', origin: 'seed', files: [[content.data.byteLength, 0]] },
      { contentId: partialId, path: '/part.bin', origin: 'download' },
      { contentId: 'lost', path: '/lost', origin: 'seed' }
    ]
    await swarms.start()
    assert.deepEqual(swarms.status().map(s => [s.contentId, s.state, s.piecesHave]), [[contentId, 'seeding', 4], [partialId, 'downloading', 1]])
    assert.deepEqual(p.network.provided, [contentId, partialId])
    assert.deepEqual(p.records.list.map(r => r.contentId), [contentId, partialId, 'lost'])
  })

  it('a stored manifest that no longer hashes to its content id is not restored (nor announced), and stays on the list', async () => {
    await p.storage.put('/data.bin', content)
    // another valid manifest under this content id: what a damaged file would decode to
    const other = known(makeContent([{ path: 'data.bin', size: 4 * 16 * 1024 }]))
    await p.records.saveManifest(contentId, other.manifestBytes)
    p.records.list = [{ contentId, path: '/data.bin', origin: 'seed', files: [[content.data.byteLength, 0]] }]
    await swarms.start()
    assert.deepEqual(swarms.status(), [])
    assert.deepEqual(p.network.provided, [])
    assert.deepEqual(p.records.list.map(r => r.contentId), [contentId])
  })

  it('start boots the hashing thread, before any download needs it; stop ends it', async () => {
    assert.equal(swarms.hashingThreadOnline, false)
    await swarms.start()
    await until(() => swarms.hashingThreadOnline, 10_000, 'the hashing thread')
    await swarms.stop()
    assert.equal(swarms.hashingThreadOnline, false)
  })

  it('after stop nothing is saved, and a get fails as stopped', async () => {
    await swarms.start()
    await swarms.stop()
    p.records.list = []
    await assert.rejects(swarms.get(content.cid, { folder: '/dl' }), (err: Error) => err.name === 'NodeStoppedError')
    assert.deepEqual(p.records.list, [])
  })
})
