import assert from 'node:assert/strict'
import { HaveBatch } from '../../../protocols/piece-exchange/have-batch.js'
import { until } from '../fixtures.js'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('protocols/piece-exchange have batch', () => {
  it('after a quiet delay, haves go at once: one call to due for all added in the same turn', async () => {
    let due = 0
    const batch = new HaveBatch(() => { due++ }, 10_000)
    batch.add(3)
    batch.add(1)
    batch.add(2)
    assert.equal(batch.size, 3)
    assert.equal(due, 0, 'not within the turn that added them')
    await until(() => due === 1, 1000, 'due long before the delay')
    await sleep(30)
    assert.equal(due, 1)
    assert.deepEqual(batch.take(), [3, 1, 2], 'in the order added')
  })

  it('within the delay of the last haves sent, new ones wait for the rest of it', async () => {
    let due = 0
    let clock = 0
    const batch = new HaveBatch(() => { due++ }, 200, () => clock)
    batch.add(1)
    await until(() => due === 1, 1000, 'the first at once')
    assert.deepEqual(batch.take(), [1])
    clock = 150
    batch.add(2)
    batch.add(3)
    await sleep(20)
    assert.equal(due, 1, '50 ms of the delay are left')
    await until(() => due === 2, 1000, 'due once the delay since the last sent is over')
    assert.deepEqual(batch.take(), [2, 3])
  })

  it('take empties the batch and cancels the call to due', async () => {
    let due = 0
    const batch = new HaveBatch(() => { due++ }, 20)
    batch.add(5)
    assert.deepEqual(batch.take(), [5])
    assert.deepEqual(batch.take(), [])
    assert.equal(batch.size, 0)
    await sleep(60)
    assert.equal(due, 0)
    batch.add(6)
    await until(() => due === 1)
  })

  it('stop cancels the call to due without dropping the haves', async () => {
    let due = 0
    const batch = new HaveBatch(() => { due++ }, 20)
    batch.add(7)
    batch.stop()
    await sleep(60)
    assert.equal(due, 0)
    assert.deepEqual(batch.take(), [7])
  })
})
