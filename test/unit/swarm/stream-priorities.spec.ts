import assert from 'node:assert/strict'
import { StreamPriorities } from '../../../src/swarm/stream-priorities.js'

describe('swarm/stream-priorities', () => {
  it('puts a reader\'s next piece highest, then its read-ahead window, within the pieces it will read', () => {
    let applied = new Map<number, number>()
    const priorities = new StreamPriorities((levels) => { applied = levels }, 3)
    const cursor = priorities.cursor()
    cursor.moveTo(10, 100)
    assert.deepEqual([...applied.entries()], [[10, 255], [11, 254], [12, 253], [13, 252]])
    cursor.moveTo(98, 99)
    assert.deepEqual([...applied.keys()], [98, 99])
  })

  it('joins readers (the higher level wins) and drops a reader\'s pieces when it closes', () => {
    let applied = new Map<number, number>()
    const priorities = new StreamPriorities((levels) => { applied = levels }, 2)
    const a = priorities.cursor()
    const b = priorities.cursor()
    a.moveTo(0, 50)
    b.moveTo(1, 50)
    assert.equal(applied.get(1), 255)
    assert.equal(applied.get(0), 255)
    assert.equal(priorities.open, 2)
    b.close()
    assert.deepEqual([...applied.keys()], [0, 1, 2])
    a.close()
    assert.equal(applied.size, 0)
    assert.equal(priorities.open, 0)
  })
})
