import assert from 'node:assert/strict'
import { SeedWatch } from '../../../src/swarm/seed-watch.js'
import { makeContent, until } from '../fixtures.js'
import { downloadHere, known, logger, openable, seedHere } from './fakes.js'
import type { OpenSwarm } from '../../../src/swarm/registry.js'
import type { Parts, TouchableStore } from './fakes.js'

const content = known(makeContent([{ path: 'data.bin', size: 3 * 16 * 1024 }]))
const other = known(makeContent([{ path: 'other.bin', size: 2 * 16 * 1024 }]))

describe('swarm/seed-watch', () => {
  let p: Parts
  let reopened: string[]
  let watch: SeedWatch
  let reopening: Promise<void> | undefined
  beforeEach(() => {
    p = openable()
    reopened = []
    reopening = undefined
    const reopen = async (entry: OpenSwarm): Promise<OpenSwarm> => {
      reopened.push(entry.record.path)
      await reopening
      return await p.restorer.reopen(entry)
    }
    watch = new SeedWatch({ registry: p.registry, reopen, interval: 60_000, log: logger.forComponent('shoal:test:seed-watch'), lifetime: p.lifetime.signal })
  })
  afterEach(async () => {
    watch.stop()
    await p.stop()
  })

  it('reopens a seeded swarm whose files changed, and saves the list; leaves unchanged ones alone', async () => {
    const changed = await seedHere(p, '/changed', content)
    await seedHere(p, '/same', other)
    ;(changed.store as TouchableStore).version++
    p.records.list = []
    await watch.check()
    assert.deepEqual(reopened, ['/changed'])
    assert.notEqual(p.registry.get(content.cid.toString()), changed, 'a new swarm took its place')
    assert.equal(p.registry.get(content.cid.toString())?.swarm.state, 'seeding', 'every piece still matches')
    assert.deepEqual(p.records.list.map(r => r.path).sort(), ['/changed', '/same'])
    await watch.check()
    assert.deepEqual(reopened, ['/changed'], 'the new fingerprints are on record: no second reopen')
  })

  it('swarms that download are not checked', async () => {
    downloadHere(p, '/dl', content)
    await watch.check()
    assert.deepEqual(reopened, [])
  })

  it('a check asked for while one runs runs once more right after it', async () => {
    const first = await seedHere(p, '/a', content)
    const second = await seedHere(p, '/b', other)
    let release = (): void => {}
    reopening = new Promise(resolve => { release = resolve })
    ;(second.store as TouchableStore).version++
    watch.checkNow()
    await until(() => reopened.length === 1, 2000, 'the first reopen')
    // changed while the check runs, after it passed by this swarm
    ;(first.store as TouchableStore).version++
    watch.checkNow()
    watch.checkNow()
    release()
    await until(() => reopened.length === 2, 2000, 'the check after')
    assert.deepEqual(reopened, ['/b', '/a'])
  })

  it('slow checks space out: checking takes at most maxBusyShare of the time, side by side with an unbounded watch', async () => {
    const entry = await seedHere(p, '/many-files', content)
    // a store whose every check costs 40 ms, as stats of many files would
    const store = entry.store as TouchableStore
    let checks = 0
    const fingerprints = store.fingerprints.bind(store)
    store.fingerprints = async () => {
      checks++
      await new Promise(resolve => setTimeout(resolve, 40))
      return await fingerprints()
    }
    const countFor = async (maxBusyShare: number | undefined): Promise<number> => {
      const timed = new SeedWatch({ registry: p.registry, reopen: async (e) => e, interval: 5, maxBusyShare, log: logger.forComponent('shoal:test:seed-watch'), lifetime: p.lifetime.signal })
      checks = 0
      timed.start()
      await new Promise(resolve => setTimeout(resolve, 1000))
      timed.stop()
      return checks
    }
    const unbounded = await countFor(undefined)
    const bounded = await countFor(0.1)
    process.stdout.write(`      checks in 1 s of 40 ms each: ${unbounded} unbounded, ${bounded} at a 10% share\n`)
    assert.ok(bounded <= 4, `${bounded} checks of 40 ms in 1 s at a 10% share`)
    assert.ok(unbounded >= 2 * bounded, `unbounded ${unbounded}, bounded ${bounded}`)
  })
})
