import assert from 'node:assert/strict'
import { pieceCount } from '../../../src/core/manifest.js'
import { cancelSwarm } from '../../../src/swarm/cancel.js'
import { waitForCompletion } from '../../../src/swarm/download.js'
import { closeSwarm } from '../../../src/swarm/registry.js'
import { makeContent, pieceOf } from '../fixtures.js'
import { downloadHere, known, openable, seedHere } from './fakes.js'
import type { Parts } from './fakes.js'

const content = known(makeContent([{ path: 'data.bin', size: 4 * 16 * 1024 }]))
const contentId = content.cid.toString()

describe('swarm/cancel', () => {
  let p: Parts
  beforeEach(() => { p = openable() })
  afterEach(async () => { await p.stop() })

  it('stops a download, forgets it (list, have record), fails the waiting get with CancelledError and keeps its files', async () => {
    const entry = downloadHere(p, '/out/data.bin', content)
    await entry.store.writePiece(0, [pieceOf(content, 0)])
    entry.swarm.have.set(0)
    await p.registry.save()
    await entry.have.save(entry.swarm.have)
    const waiting = waitForCompletion(entry, {})
    const result = await cancelSwarm(p.registry, contentId)
    await assert.rejects(waiting, (err: Error) => err.name === 'CancelledError' && err.message === `the swarm of ${contentId} was cancelled (shoal cancel)`)
    assert.deepEqual(result, { contentId, path: '/out/data.bin', origin: 'download', complete: false, removed: false })
    assert.equal(entry.swarm.state, 'stopped')
    assert.equal(p.registry.get(contentId), undefined)
    assert.deepEqual(p.records.list, [])
    assert.equal(p.records.have(contentId).bits, undefined)
    assert.ok(p.storage.stores.has('/out/data.bin'), 'the partial output is kept')
  })

  it('with remove, deletes what the download made', async () => {
    downloadHere(p, '/out/data.bin', content)
    const result = await cancelSwarm(p.registry, contentId, { remove: true })
    assert.equal(result.removed, true)
    assert.ok(!p.storage.stores.has('/out/data.bin'))
  })

  it('an added content only stops seeding: its files are never removed', async () => {
    await seedHere(p, '/mine/data.bin', content)
    const result = await cancelSwarm(p.registry, contentId, { remove: true })
    assert.deepEqual(result, { contentId, path: '/mine/data.bin', origin: 'seed', complete: true, removed: false })
    assert.ok(p.storage.stores.has('/mine/data.bin'))
    assert.equal(p.registry.get(contentId), undefined)
  })

  it('no swarm for the content id: UnknownContentError "no swarm for <cid>"', async () => {
    await assert.rejects(cancelSwarm(p.registry, contentId), (err: Error) => err.name === 'UnknownContentError' && err.message === `no swarm for ${contentId}`)
  })

  it('a swarm being verified again is not cancelled until that is done', async () => {
    const entry = downloadHere(p, '/out/data.bin', content)
    await closeSwarm(entry, 'checking')
    await assert.rejects(cancelSwarm(p.registry, contentId), (err: Error) => err.name === 'StorageError' && /being verified again/.test(err.message))
  })

  it('a complete download reports complete', async () => {
    const entry = downloadHere(p, '/out/data.bin', content)
    for (let i = 0; i < pieceCount(content.manifest); i++) entry.swarm.have.set(i)
    assert.ok(entry.swarm.have.complete)
    assert.equal((await cancelSwarm(p.registry, contentId)).complete, true)
  })
})
