import assert from 'node:assert/strict'
import { HaveBatch } from '../../../protocols/piece-exchange/have-batch.js'
import { until } from '../fixtures.js'

describe('protocols/piece-exchange have batch', () => {
  it('calls due once after the delay, whatever the number of haves added meanwhile', async () => {
    let due = 0
    const batch = new HaveBatch(() => { due++ }, 20)
    batch.add(3)
    batch.add(1)
    batch.add(2)
    assert.equal(batch.size, 3)
    await until(() => due === 1)
    await new Promise(resolve => setTimeout(resolve, 60))
    assert.equal(due, 1)
    assert.deepEqual(batch.take(), [3, 1, 2], 'in the order added')
  })

  it('take empties the batch and cancels the wait', async () => {
    let due = 0
    const batch = new HaveBatch(() => { due++ }, 20)
    batch.add(5)
    assert.deepEqual(batch.take(), [5])
    assert.deepEqual(batch.take(), [])
    assert.equal(batch.size, 0)
    await new Promise(resolve => setTimeout(resolve, 60))
    assert.equal(due, 0)
    batch.add(6)
    await until(() => due === 1)
  })

  it('stop cancels the wait without dropping the haves', async () => {
    let due = 0
    const batch = new HaveBatch(() => { due++ }, 20)
    batch.add(7)
    batch.stop()
    await new Promise(resolve => setTimeout(resolve, 60))
    assert.equal(due, 0)
    assert.deepEqual(batch.take(), [7])
  })
})
