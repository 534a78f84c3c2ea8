import assert from 'node:assert/strict'
import { pieceCount } from '../../../src/core/manifest.js'
import { Downloader } from '../../../src/swarm/download.js'
import { closeSwarm } from '../../../src/swarm/registry.js'
import { makeContent, pieceOf, until, within } from '../fixtures.js'
import { downloadHere, known, logger, openable, seedHere } from './fakes.js'
import type { Parts } from './fakes.js'
import type { GetProgressEvent } from '../../../src/swarm/types.js'

const content = known(makeContent([{ path: 'data.bin', size: 5 * 16 * 1024 + 100 }]))
const contentId = content.cid.toString()

function isNamed (name: string): (err: Error) => boolean {
  return (err) => err.name === name
}

describe('swarm/download', () => {
  let p: Parts
  let downloader: Downloader
  beforeEach(() => {
    p = openable()
    downloader = new Downloader({ ...p, timeouts: { discovery: 300 }, maxManifestSize: 1 << 20, log: logger.forComponent('shoal:test:download'), lifetime: p.lifetime.signal })
  })
  afterEach(async () => { await p.stop() })

  it('takes the manifest from a peer that has it, names the output after it, and resolves once every piece is verified and on record', async () => {
    p.network.seeders.set('seeder', content)
    const events: GetProgressEvent[] = []
    const path = await within(downloader.get(content.cid, { folder: '/downloads' }, { onProgress: (e) => events.push(e) }), 10_000, 'the get')
    assert.equal(path, '/downloads/data.bin')
    assert.deepEqual(p.storage.claimed, ['/downloads/data.bin'])
    const kinds = events.map(e => e.type).filter((t, i, all) => t !== all[i - 1])
    assert.deepEqual(kinds, ['shoal:get:searching', 'shoal:get:manifest', 'shoal:get:progress', 'shoal:get:complete'])
    const store = p.storage.stores.get(path)
    for (let i = 0; i < pieceCount(content.manifest); i++) assert.ok(Buffer.from(await store?.readPiece(i) ?? []).equals(pieceOf(content, i)))
    assert.deepEqual(p.records.list, [{ contentId, path, origin: 'download', files: [[content.data.byteLength, 0]] }])
    assert.equal(p.records.have(contentId).bits, undefined, 'the have record goes once the files are on record')
    await until(() => p.network.provided.length > 0, 2000, 'the announcement, once complete')
    assert.deepEqual(p.network.provided, [contentId])
    assert.equal(p.registry.get(contentId)?.swarm.state, 'seeding')
  })

  for (const [what, made] of [['one piece', makeContent([{ path: 'one.bin', size: 1000 }])], ['several pieces', content]] as const) {
    it(`content of ${what} done before the partial announcement is announced once, when its completion is on record: the announcement does not hold up the get`, async () => {
      const done = known(made)
      p.network.seeders.set('seeder', done)
      const doneId = done.cid.toString()
      const recordedWhenProvided: boolean[] = []
      const provide = p.network.provide.bind(p.network)
      p.network.provide = (cid) => {
        recordedWhenProvided.push(p.records.list.some(r => r.contentId === doneId && r.files !== undefined))
        provide(cid)
      }
      await within(downloader.get(done.cid, { folder: '/downloads' }), 10_000, 'the get')
      await until(() => p.network.provided.length > 0, 2000, 'the announcement')
      assert.deepEqual(p.network.provided, [doneId], 'announced once')
      assert.deepEqual(recordedWhenProvided, [true], 'after the completion was recorded')
    })
  }

  it('a download still under way a while after its first verified piece (announceDelays.partial) is announced then, once', async () => {
    await p.stop()
    p = openable({ announceDelays: { partial: 200, complete: 0 } })
    downloader = new Downloader({ ...p, timeouts: { discovery: 300 }, maxManifestSize: 1 << 20, log: logger.forComponent('shoal:test:download'), lifetime: p.lifetime.signal })
    p.network.seeders.set('seeder', content)
    p.network.withheld.add(pieceCount(content.manifest) - 1)
    const get = downloader.get(content.cid, { folder: '/downloads' })
    get.catch(() => {})
    await until(() => (p.registry.get(contentId)?.swarm.have.count ?? 0) > 0, 5000, 'a first piece')
    assert.deepEqual(p.network.provided, [], 'not with its first piece')
    // the delay is 200 ms plus up to half again
    await until(() => p.network.provided.length > 0, 2000, 'the announcement')
    assert.equal(p.registry.get(contentId)?.swarm.state, 'downloading')
    await new Promise(resolve => setTimeout(resolve, 400))
    assert.deepEqual(p.network.provided, [contentId], 'announced once')
  })

  it('two gets of the same content at once open one swarm: the second joins the first', async () => {
    p.network.seeders.set('seeder', content)
    const paths = await within(Promise.all([
      downloader.get(content.cid, { folder: '/downloads' }),
      downloader.get(content.cid, { folder: '/downloads' })
    ]), 10_000, 'the gets')
    assert.deepEqual(paths, ['/downloads/data.bin', '/downloads/data.bin'])
    assert.deepEqual(p.storage.claimed, ['/downloads/data.bin'], 'the output is claimed once')
    assert.deepEqual(p.records.list.map(r => r.contentId), [contentId])
    assert.equal(p.registry.get(contentId)?.swarm.state, 'seeding')
  })

  it('a second get of content open here (re-attached) hears its name and size first, as a new get does', async () => {
    p.network.seeders.set('seeder', content)
    await within(downloader.get(content.cid, { folder: '/downloads' }), 10_000, 'the first get')
    const events: GetProgressEvent[] = []
    await within(downloader.get(content.cid, { folder: '/downloads' }, { onProgress: (e) => events.push(e) }), 10_000, 'the second get')
    assert.deepEqual(events.map(e => e.type), ['shoal:get:manifest', 'shoal:get:progress', 'shoal:get:complete'])
    assert.deepEqual(events[0], { type: 'shoal:get:manifest', contentId, name: 'data.bin', size: content.data.byteLength, pieceCount: pieceCount(content.manifest) })
  })

  it('finds no peer with the content: NoProvidersError within the timeout, nothing claimed or recorded', async () => {
    const started = Date.now()
    const events: GetProgressEvent[] = []
    await assert.rejects(downloader.get(content.cid, { folder: '/downloads' }, { discoveryTimeout: 200, onProgress: (e) => events.push(e) }),
      (err: Error) => err.name === 'NoProvidersError' && /within 200 ms\nnot connected to any peer, and the bootstrap list is empty/.test(err.message))
    assert.deepEqual(events.map(e => e.type), ['shoal:get:searching'])
    assert.equal((events[0] as Extract<GetProgressEvent, { type: 'shoal:get:searching' }>).search?.asked, 0)
    assert.ok(Date.now() - started < 2000)
    assert.deepEqual(p.storage.claimed, [])
    assert.deepEqual(p.records.list, [])
    assert.equal(p.registry.get(contentId), undefined)
  })

  it('refuses a taken output path before any search; force replaces it only if a download of the same content made it', async () => {
    await p.storage.put('/taken', known(makeContent([{ path: 'other', size: 10 }])))
    p.network.seeders.set('seeder', content)
    const events: GetProgressEvent[] = []
    await assert.rejects(downloader.get(content.cid, { path: '/taken' }, { onProgress: (e) => events.push(e) }), isNamed('PathError'))
    assert.deepEqual(events, [])
    // a foreign path: --force refuses, and says why
    await assert.rejects(downloader.get(content.cid, { path: '/taken' }, { force: true }), (err: Error) => err.name === 'PathError' && /was not made by a download of/.test(err.message))
    await p.records.noteOutputs(['/taken'], 'another-content-id')
    await assert.rejects(downloader.get(content.cid, { path: '/taken' }, { force: true }), isNamed('PathError'))
    // what a download of this content left there: replaced
    await p.records.noteOutputs(['/taken'], contentId)
    await assert.rejects(downloader.get(content.cid, { path: '/taken' }), (err: Error) => /use --force to replace it/.test(err.message))
    assert.equal(await within(downloader.get(content.cid, { path: '/taken' }, { force: true }), 10_000, 'the forced get'), '/taken')
  })

  it('a partial output a get of the same content left (a cancelled one) is gone on with: its pieces verified again, only the rest fetched', async () => {
    // what a cancelled get left at /out: two pieces, and its output noted
    const left = p.storage.open({ root: '/out', manifest: content.manifest, mode: 'write' })
    await left.writePiece(0, [pieceOf(content, 0)])
    await left.writePiece(3, [pieceOf(content, 3)])
    await p.records.noteOutputs(['/out'], contentId)
    p.network.seeders.set('seeder', content)
    assert.equal(await within(downloader.get(content.cid, { path: '/out' }), 10_000, 'the resumed get'), '/out')
    assert.deepEqual(p.storage.claimed, [], 'nothing claimed: the output was kept')
    const swarm = p.registry.get(contentId)?.swarm
    assert.equal(swarm?.state, 'seeding')
    assert.equal(swarm?.downloaded, content.data.byteLength - 2 * 16 * 1024, 'the two pieces on disk were not fetched again')
    // --force starts over instead
    await p.registry.remove(contentId)
    assert.equal(await within(downloader.get(content.cid, { path: '/out' }, { force: true }), 10_000, 'the forced get'), '/out')
    assert.deepEqual(p.storage.claimed, ['/out'])
  })

  it('a manifest name starting with a dot is not a default output: it asks for --output', async () => {
    const dotted = known(makeContent([{ path: '.ssh', size: 100 }]))
    p.network.seeders.set('seeder', dotted)
    await assert.rejects(downloader.get(dotted.cid, { folder: '/home/user' }), (err: Error) => err.name === 'PathError' && /named ".ssh", which starts with a dot: give --output/.test(err.message))
    assert.deepEqual(p.storage.claimed, [])
    assert.equal(await within(downloader.get(dotted.cid, { path: '/home/user/keys' }), 10_000, 'the get with an output'), '/home/user/keys')
  })

  it('content this node seeds: a get at its own path resolves at once, elsewhere it is copied piece by piece', async () => {
    await seedHere(p, '/mine/data.bin', content)
    assert.equal(await downloader.get(content.cid, { folder: '/mine' }), '/mine/data.bin')
    assert.equal(await downloader.get(content.cid, { path: '/copy' }), '/copy')
    const copy = p.storage.stores.get('/copy')
    for (let i = 0; i < pieceCount(content.manifest); i++) assert.ok(Buffer.from(await copy?.readPiece(i) ?? []).equals(pieceOf(content, i)))
    await assert.rejects(downloader.get(content.cid, { path: '/copy' }), isNamed('PathError'), 'the copy is not this node\'s swarm, and is taken')
  })

  it('content being downloaded elsewhere, or being checked, is refused', async () => {
    const entry = downloadHere(p, '/there', content)
    await assert.rejects(downloader.get(content.cid, { path: '/here' }), /already being downloaded to \/there/)
    await closeSwarm(entry, 'checking')
    await assert.rejects(downloader.get(content.cid, { path: '/there' }), /being verified again/)
  })

  it('a waiting get fails with the abort reason, or with NodeStoppedError when the node stops', async () => {
    downloadHere(p, '/there', content)
    const abort = new AbortController()
    const aborted = downloader.get(content.cid, { path: '/there' }, { signal: abort.signal })
    abort.abort(new Error('given up'))
    await assert.rejects(aborted, /given up/)
    const waiting = downloader.get(content.cid, { path: '/there' })
    await p.stop()
    await assert.rejects(waiting, isNamed('NodeStoppedError'))
  })
})
