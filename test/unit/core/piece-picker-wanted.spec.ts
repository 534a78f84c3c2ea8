import assert from 'node:assert/strict'
import { Bitfield } from '../../../src/core/bitfield.js'
import { PICKING } from '../../../src/config/defaults.js'
import { PiecePicker } from '../../../src/core/piece-picker.js'
import { seededRandom } from '../fixtures.js'

function bits (length: number, indexes: number[] = []): Bitfield {
  const field = new Bitfield(length)
  for (const i of indexes) field.set(i)
  return field
}

const notAsked = (): boolean => false

function picker (length: number, have: number[] = []): PiecePicker {
  return new PiecePicker(bits(length, have), { ...PICKING, random: seededRandom(1), randomFirstPieces: 0, sequential: true })
}

describe('core/piece-picker: the wanted filter (selected files)', () => {
  it('picks only wanted pieces, and every piece once the filter is lifted', () => {
    const p = picker(6)
    p.setWanted(bits(6, [1, 4]))
    assert.deepEqual(p.pick(Bitfield.full(6), 6, notAsked), [1, 4])
    p.setWanted(undefined)
    assert.deepEqual(p.pick(Bitfield.full(6), 6, notAsked), [0, 1, 2, 3, 4, 5])
  })

  it('endgame starts once every wanted piece is requested, not every piece', () => {
    const p = picker(6)
    p.setWanted(bits(6, [2, 3]))
    assert.equal(p.endgame, false)
    p.markRequested(2)
    assert.equal(p.endgame, false)
    p.markRequested(3)
    assert.equal(p.endgame, true, 'the unwanted pieces do not hold endgame back')
    // endgame: a wanted piece may be asked of a second peer
    assert.deepEqual(p.pick(Bitfield.full(6), 6, notAsked), [2, 3])
    p.markReleased(3)
    assert.equal(p.endgame, false)
  })

  it('a piece settled (written for the selected files only) is not asked for again until unsettled', () => {
    const p = picker(4)
    p.setWanted(bits(4, [0, 1]))
    p.markSettled(1)
    assert.deepEqual(p.pick(Bitfield.full(4), 4, notAsked), [0])
    p.unsettle(1)
    assert.deepEqual(p.pick(Bitfield.full(4), 4, notAsked), [0, 1])
  })

  it('a wider selection counts the pieces it adds; a narrower one drops them from endgame', () => {
    const p = picker(4, [0])
    p.setWanted(bits(4, [1]))
    p.markRequested(1)
    assert.equal(p.endgame, true)
    p.setWanted(bits(4, [1, 2, 3]))
    assert.equal(p.endgame, false)
    assert.deepEqual(p.pick(Bitfield.full(4), 4, notAsked), [2, 3], 'piece 1 is out once already (no endgame), piece 0 is had')
    p.setWanted(bits(4, [0, 1]))
    assert.equal(p.endgame, true)
  })
})
