import assert from 'node:assert/strict'
import { SendTurns } from '../../../src/swarm/send-turns.js'
import type { ReleaseTurn } from '../../../src/swarm/send-turns.js'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('swarm/send-turns', () => {
  it('grants free turns at once (no promise), and the waiting in the order they came as turns end', async () => {
    const turns = new SendTurns(2, 60_000)
    const a = turns.take()
    const b = turns.take()
    assert.equal(typeof a, 'function')
    assert.equal(typeof b, 'function')
    const order: string[] = []
    const c = (turns.take() as Promise<ReleaseTurn>).then(release => { order.push('c'); return release })
    const d = (turns.take() as Promise<ReleaseTurn>).then(release => { order.push('d'); return release })
    await sleep(5)
    assert.deepEqual(order, [])
    ;(a as ReleaseTurn)()
    await sleep(5)
    assert.deepEqual(order, ['c'])
    // a second release of the same turn frees nothing more
    ;(a as ReleaseTurn)()
    await sleep(5)
    assert.deepEqual(order, ['c'])
    ;(b as ReleaseTurn)()
    await sleep(5)
    assert.deepEqual(order, ['c', 'd'])
    ;(await c)()
    ;(await d)()
    assert.equal(turns.busy, 0)
  })

  it('a freed turn goes to the waiter of lowest rank, ranked when the turn frees; equal ranks in the order they came', async () => {
    const turns = new SendTurns(1, 60_000)
    const held = turns.take() as ReleaseTurn
    const ranks = { c: 2, d: 1, e: 1 }
    const order: string[] = []
    const waiters = (['c', 'd', 'e'] as const).map(name =>
      (turns.take(() => ranks[name]) as Promise<ReleaseTurn>).then(release => { order.push(name); return release }))
    // the rank is read when the turn frees, not when the copy began to wait
    ranks.c = 0
    held()
    await sleep(5)
    assert.deepEqual(order, ['c'])
    ;(await waiters[0])()
    await sleep(5)
    assert.deepEqual(order, ['c', 'd'])
    ;(await waiters[1])()
    await sleep(5)
    assert.deepEqual(order, ['c', 'd', 'e'])
    ;(await waiters[2])()
    assert.equal(turns.busy, 0)
  })

  it('a turn held past maxHoldMs while another waits ends for it: a peer that never reads holds the rest up once', async () => {
    const turns = new SendTurns(1, 50)
    const stuck = turns.take() as ReleaseTurn
    const started = Date.now()
    const next = await (turns.take() as Promise<ReleaseTurn>)
    const waited = Date.now() - started
    assert.ok(waited >= 40 && waited < 1000, `waited ${waited} ms`)
    assert.equal(turns.busy, 1, 'the stuck turn no longer counts')
    // the stuck copy goes out at last: that frees no second place
    stuck()
    const third = turns.take()
    assert.equal(typeof third, 'object', 'the one turn is still held')
    next()
    ;(await third)()
    assert.equal(turns.busy, 0)
  })

  it('holds turns as long as it likes while nobody waits', async () => {
    const turns = new SendTurns(1, 10)
    const release = turns.take() as ReleaseTurn
    await sleep(40)
    assert.equal(turns.busy, 1)
    release()
    assert.equal(typeof turns.take(), 'function')
  })
})
