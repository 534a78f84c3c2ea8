import assert from 'node:assert/strict'
import { dialFailureOf } from '../../../src/discovery/dial-failure.js'

function failure (name: string, code?: string): Error {
  const err = Object.assign(new Error('x'), code === undefined ? {} : { code })
  err.name = name
  return err
}

describe('discovery/dial-failure', () => {
  it('names what a user can act on: refused, no answer, encryption (a swarm key on one side only)', () => {
    assert.equal(dialFailureOf(failure('Error', 'ECONNREFUSED')), 'refused')
    assert.equal(dialFailureOf(failure('Error', 'EHOSTUNREACH')), 'refused')
    assert.equal(dialFailureOf(failure('TimeoutError')), 'timeout')
    assert.equal(dialFailureOf(failure('EncryptionFailedError')), 'encryption')
    assert.equal(dialFailureOf(failure('Error')), 'other')
    assert.equal(dialFailureOf(undefined), 'other')
  })

  it('a dial of several addresses: the most telling of their failures', () => {
    const all = new AggregateError([failure('Error', 'ECONNREFUSED'), failure('EncryptionFailedError'), failure('TimeoutError')])
    assert.equal(dialFailureOf(all), 'encryption')
    assert.equal(dialFailureOf(new AggregateError([failure('TimeoutError'), failure('Error', 'ECONNREFUSED')])), 'refused')
  })
})
