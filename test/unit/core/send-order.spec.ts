import assert from 'node:assert/strict'
import { SendOrder } from '../../../src/core/send-order.js'

describe('core/send-order', () => {
  const holders = [3, 1, 1, 2]
  const copies = [0, 2, 1, 0]
  const order = new SendOrder(index => holders[index], index => copies[index])

  it('sends the piece fewest peers hold first, whatever the copies sent', () => {
    assert.equal(order.before(1, 0), true)
    assert.equal(order.before(0, 1), false)
    assert.equal(order.before(3, 0), true)
  })

  it('among pieces as rare, sends the one sent fewest times first', () => {
    assert.equal(order.before(2, 1), true)
    assert.equal(order.before(1, 2), false)
  })

  it('picks the first of a list by the same rule, the earliest of equals', () => {
    assert.equal(order.first([0, 3, 1, 2]), 3)
    assert.equal(order.first([0, 3]), 1)
    assert.equal(order.first([2, 2]), 0)
    assert.equal(order.first([0]), 0)
  })
})
