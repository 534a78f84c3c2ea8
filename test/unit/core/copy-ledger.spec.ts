import assert from 'node:assert/strict'
import { CopyLedger } from '../../../src/core/copy-ledger.js'

describe('core/copy-ledger', () => {
  it('a piece is given once a copy of it is recorded, and stays given however many follow', () => {
    const ledger = new CopyLedger(3)
    assert.deepEqual([0, 1, 2].map(i => ledger.given(i)), [false, false, false])
    ledger.record(0, 'a')
    assert.equal(ledger.given(0), true)
    assert.equal(ledger.given(1), false)
    ledger.record(1, 'b')
    ledger.record(2, 'c')
    // every piece has gone out once: each is still given (no second round opens)
    assert.deepEqual([0, 1, 2].map(i => ledger.given(i)), [true, true, true])
    ledger.record(2, 'd')
    assert.equal(ledger.copiesOf(2), 2)
  })

  it('remembers who got the last copy', () => {
    const ledger = new CopyLedger(2)
    assert.equal(ledger.lastRecipient(0), undefined)
    ledger.record(0, 'a')
    ledger.record(0, 'b')
    assert.equal(ledger.lastRecipient(0), 'b')
  })

  it('a withdrawn copy counts no more: a piece whose only copy is withdrawn is not given, nor its recipient the last', () => {
    const ledger = new CopyLedger(2)
    ledger.record(0, 'a')
    ledger.record(0, 'c')
    ledger.withdraw(0, 'c')
    assert.equal(ledger.copiesOf(0), 1)
    assert.equal(ledger.given(0), true)
    assert.equal(ledger.lastRecipient(0), undefined)
    // a copy to someone other than the last recipient leaves the recipient as it was
    ledger.record(1, 'b')
    ledger.record(1, 'd')
    ledger.withdraw(1, 'b')
    assert.equal(ledger.lastRecipient(1), 'd')
    ledger.withdraw(1, 'd')
    ledger.withdraw(1, 'd')
    assert.equal(ledger.copiesOf(1), 0)
    assert.equal(ledger.given(1), false)
  })

  it('keeps each count right over copies recorded and withdrawn in any order', () => {
    const ledger = new CopyLedger(20)
    const counts = new Array<number>(20).fill(0)
    let seed = 11
    for (let n = 0; n < 4000; n++) {
      seed = (seed * 1103515245 + 12345) % 2147483648
      const i = seed % 20
      if ((seed >> 8) % 3 === 0 && counts[i] > 0) {
        ledger.withdraw(i, 'p')
        counts[i]--
      } else {
        ledger.record(i, 'p')
        counts[i]++
      }
      for (let j = 0; j < 20; j++) {
        assert.equal(ledger.copiesOf(j), counts[j])
        assert.equal(ledger.given(j), counts[j] > 0)
      }
    }
  })
})
