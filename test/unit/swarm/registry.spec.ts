import assert from 'node:assert/strict'
import { makeContent } from '../fixtures.js'
import { downloadHere, known, openable, seedHere } from './fakes.js'
import type { Parts } from './fakes.js'
import type { SwarmRecord } from '../../../src/swarm/records.js'

const content = known(makeContent([{ path: 'data.bin', size: 3 * 16 * 1024 }]))
const contentId = content.cid.toString()

describe('swarm/registry', () => {
  let p: Parts
  beforeEach(() => { p = openable() })
  afterEach(async () => { await p.stop() })

  it('an opened swarm is announced with its state and found by every lookup', async () => {
    const added: unknown[] = []
    p.registry.events.addEventListener('swarm:added', (e) => added.push(e.detail))
    const entry = await seedHere(p, '/seed', content)
    assert.deepEqual(added, [{ contentId, state: 'seeding' }])
    assert.equal(p.registry.get(contentId), entry)
    assert.equal(p.registry.swarm(contentId), entry.swarm)
    assert.equal(p.registry.endpoint(contentId), entry.swarm)
    assert.deepEqual(p.registry.list(), [entry])
    assert.equal(p.registry.manifestBytes(content.cid), content.manifestBytes)
    assert.equal(p.registry.endpoint('unknown'), undefined)
  })

  it('a swarm that does not trade (stopped, being checked) is no endpoint for a piece exchange', async () => {
    const entry = downloadHere(p, '/dl', content)
    assert.equal(p.registry.endpoint(contentId), entry.swarm)
    await entry.swarm.stop('checking')
    assert.equal(p.registry.endpoint(contentId), undefined)
    assert.equal(p.registry.swarm(contentId), entry.swarm, 'still listed while checked')
  })

  it('remove stops the swarm, drops its have record, saves the list, then says so', async () => {
    const entry = downloadHere(p, '/dl', content)
    await p.records.have(contentId).save(entry.swarm.have)
    const removed: string[] = []
    p.registry.events.addEventListener('swarm:removed', (e) => removed.push(e.detail.contentId))
    await p.registry.remove(contentId)
    assert.equal(entry.swarm.state, 'stopped')
    assert.equal(p.records.have(contentId).bits, undefined)
    assert.deepEqual(p.records.list, [])
    assert.deepEqual(removed, [contentId])
    await assert.rejects(p.registry.remove(contentId), (err: Error) => err.name === 'UnknownContentError')
  })

  it('the list on record: open swarms, swarms about to open, and those a start could not bring back until they open', async () => {
    const lost: SwarmRecord = { contentId, path: '/gone', origin: 'seed' }
    const opening: SwarmRecord = { contentId: 'next', path: '/next', origin: 'download' }
    p.registry.keepUnrestored(lost)
    await p.registry.save([opening])
    assert.deepEqual(p.records.list, [opening, lost])
    await seedHere(p, '/seed', content)
    await p.registry.save()
    assert.deepEqual(p.records.list.map(r => r.path), ['/seed'], 'the open swarm of that content replaces the unrestored record')
  })

  it('drop forgets only the entry still open', async () => {
    const first = downloadHere(p, '/dl', content)
    const second = downloadHere(p, '/dl', content)
    p.registry.drop(first)
    assert.equal(p.registry.get(contentId), second)
    p.registry.drop(second)
    assert.equal(p.registry.get(contentId), undefined)
  })

  it('close fails every waiter, stops every swarm, and nothing opens or saves after it', async () => {
    const entry = downloadHere(p, '/dl', content)
    const errors: Error[] = []
    entry.waiters.add({ progress: () => {}, complete: () => {}, error: (err) => errors.push(err) })
    await p.registry.close()
    assert.deepEqual(errors.map(e => e.name), ['NodeStoppedError'])
    assert.equal(entry.swarm.state, 'stopped')
    assert.deepEqual(p.registry.list(), [])
    assert.throws(() => downloadHere(p, '/dl', content), (err: Error) => err.name === 'NodeStoppedError')
    await p.registry.save()
    assert.deepEqual(p.records.list, [])
  })

  it('offered and connecting peers reach only incomplete swarms, through their finders', async () => {
    await seedHere(p, '/seed', content)
    p.network.seeders.set('seeder', content)
    p.registry.onPeerConnected('seeder')
    assert.deepEqual(p.network.connected, [], 'a seeding swarm looks for no peers')
    await p.registry.remove(contentId)
    downloadHere(p, '/dl', content)
    p.registry.offerPeer(contentId, 'seeder')
    await new Promise(resolve => setImmediate(resolve))
    assert.deepEqual(p.network.connected, ['seeder'])
  })
})
