import assert from 'node:assert/strict'
import { CopyLedger } from '../../../src/core/copy-ledger.js'

describe('core/copy-ledger', () => {
  it('a piece is ahead once it has more copies than the least-given piece', () => {
    const ledger = new CopyLedger(3)
    ledger.record(0, 'a')
    assert.equal(ledger.aheadOfOthers(0), true)
    assert.equal(ledger.aheadOfOthers(1), false)
    ledger.record(1, 'b')
    ledger.record(2, 'c')
    // every piece has one copy: none is ahead
    assert.deepEqual([0, 1, 2].map(i => ledger.aheadOfOthers(i)), [false, false, false])
    ledger.record(2, 'd')
    assert.equal(ledger.aheadOfOthers(2), true)
    assert.equal(ledger.copiesOf(2), 2)
  })

  it('remembers who got the last copy', () => {
    const ledger = new CopyLedger(2)
    assert.equal(ledger.lastRecipient(0), undefined)
    ledger.record(0, 'a')
    ledger.record(0, 'b')
    assert.equal(ledger.lastRecipient(0), 'b')
  })

  it('keeps the fewest count right over many copies in any order', () => {
    const ledger = new CopyLedger(50)
    const counts = new Array<number>(50).fill(0)
    let seed = 7
    for (let n = 0; n < 5000; n++) {
      seed = (seed * 1103515245 + 12345) % 2147483648
      const i = seed % 50
      ledger.record(i, 'p')
      counts[i]++
      const fewest = Math.min(...counts)
      for (let j = 0; j < 50; j++) assert.equal(ledger.aheadOfOthers(j), counts[j] > fewest)
    }
  })

  it('a withdrawn copy counts no more: the piece is no longer ahead, nor its recipient the last', () => {
    const ledger = new CopyLedger(2)
    ledger.record(0, 'a')
    ledger.record(1, 'b')
    ledger.record(0, 'c')
    assert.equal(ledger.aheadOfOthers(0), true)
    ledger.withdraw(0, 'c')
    assert.equal(ledger.copiesOf(0), 1)
    assert.equal(ledger.aheadOfOthers(0), false)
    assert.equal(ledger.lastRecipient(0), undefined)
    // a copy to someone other than the last recipient leaves the recipient as it was
    ledger.record(1, 'd')
    ledger.withdraw(1, 'b')
    assert.equal(ledger.lastRecipient(1), 'd')
    ledger.withdraw(1, 'd')
    ledger.withdraw(1, 'd')
    assert.equal(ledger.copiesOf(1), 0)
    // piece 1 is now the least given: piece 0 is ahead again
    assert.equal(ledger.aheadOfOthers(0), true)
  })

  it('keeps the fewest count right over copies recorded and withdrawn in any order', () => {
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
      const fewest = Math.min(...counts)
      for (let j = 0; j < 20; j++) assert.equal(ledger.aheadOfOthers(j), counts[j] > fewest)
    }
  })
})
