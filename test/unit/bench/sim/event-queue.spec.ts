import assert from 'node:assert/strict'
import { EventQueue } from '../../../../bench/sim/event-queue.js'

describe('bench/sim/event-queue', () => {
  it('runs events in time order, equal times in the order they were scheduled', () => {
    const queue = new EventQueue()
    const ran: string[] = []
    for (const [time, name] of [[3, 'c'], [1, 'a1'], [2, 'b'], [1, 'a2'], [0.5, 'first']] as const) {
      queue.at(time, () => { ran.push(`${name}@${queue.now}`) })
    }
    queue.run()
    assert.deepEqual(ran, ['first@0.5', 'a1@1', 'a2@1', 'b@2', 'c@3'])
  })

  it('schedules from inside an event, relative to its time, never in the past', () => {
    const queue = new EventQueue()
    const ran: number[] = []
    queue.at(2, () => {
      queue.after(1.5, () => { ran.push(queue.now) })
      queue.after(-1, () => { ran.push(queue.now) })
    })
    queue.run()
    assert.deepEqual(ran, [2, 3.5])
  })

  it('stops when told to or past a time limit, keeping the rest', () => {
    const queue = new EventQueue()
    let count = 0
    for (let t = 1; t <= 10; t++) queue.at(t, () => { count++ })
    queue.run(() => count === 3)
    assert.equal(count, 3)
    queue.run(() => false, 6)
    assert.equal(count, 6)
    assert.equal(queue.size, 4)
  })

  it('keeps order over many random times (the heap holds)', () => {
    const queue = new EventQueue()
    const times: number[] = []
    for (let i = 0; i < 1000; i++) queue.at((i * 7919) % 1009, () => { times.push(queue.now) })
    queue.run()
    assert.deepEqual(times, [...times].sort((a, b) => a - b))
    assert.equal(times.length, 1000)
  })
})
