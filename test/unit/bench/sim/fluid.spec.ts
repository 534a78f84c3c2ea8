import assert from 'node:assert/strict'
import { EventQueue } from '../../../../bench/sim/event-queue.js'
import { endpoint, FluidNetwork } from '../../../../bench/sim/fluid.js'

/** Start each [from, to, bytes, at] and return when each finished. */
function finishTimes (transfers: Array<[ReturnType<typeof endpoint>, ReturnType<typeof endpoint>, number, number]>): number[] {
  const queue = new EventQueue()
  const net = new FluidNetwork(queue)
  const done: number[] = []
  transfers.forEach(([from, to, bytes, at], i) => {
    queue.at(at, () => { net.start(from, to, bytes, () => { done[i] = queue.now }) })
  })
  queue.run()
  return done
}

const close = (actual: number, expected: number): void => { assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`) }

describe('bench/sim/fluid', () => {
  it('one seeder, one leecher: F / min(U, d)', () => {
    const [slowUp] = finishTimes([[endpoint(10, Infinity), endpoint(Infinity, 100), 200, 0]])
    close(slowUp, 20)
    const [slowDown] = finishTimes([[endpoint(100, Infinity), endpoint(Infinity, 8), 200, 0]])
    close(slowDown, 25)
  })

  it('a sender shares its upload equally among its transfers', () => {
    const seeder = endpoint(10, Infinity)
    const times = finishTimes([[seeder, endpoint(0, Infinity), 100, 0], [seeder, endpoint(0, Infinity), 100, 0]])
    close(times[0], 20)
    close(times[1], 20)
  })

  it('rates change as transfers start and end', () => {
    // U = 10: A alone for 1 s (10 bytes), then A and B at 5 each: A's other 10 take 2 s (t = 3);
    // B has 10 left, alone again at 10/s: t = 4
    const seeder = endpoint(10, Infinity)
    const [a, b] = finishTimes([[seeder, endpoint(0, Infinity), 20, 0], [seeder, endpoint(0, Infinity), 20, 1]])
    close(a, 3)
    close(b, 4)
  })

  it('a receiver shares its download among its senders, and a capped share is not refilled', () => {
    const leecher = endpoint(0, 10)
    const [fromOne, fromOther] = finishTimes([[endpoint(100, Infinity), leecher, 50, 0], [endpoint(100, Infinity), leecher, 50, 0]])
    close(fromOne, 10)
    close(fromOther, 10)
    // the seeder's 10 split 5 and 5; the capped leecher takes 2 of its 5, the rest stays unused
    const seeder = endpoint(10, Infinity)
    const [capped, free] = finishTimes([[seeder, endpoint(0, 2), 20, 0], [seeder, endpoint(0, Infinity), 50, 0]])
    close(capped, 10)
    close(free, 10)
  })
})
