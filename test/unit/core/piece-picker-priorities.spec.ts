import assert from 'node:assert/strict'
import { Bitfield } from '../../../src/core/bitfield.js'
import { PICKING } from '../../../src/config/defaults.js'
import { PiecePicker } from '../../../src/core/piece-picker.js'
import { seededRandom } from '../fixtures.js'

const notAsked = (): boolean => false

function picker (length: number, sequential = false): { p: PiecePicker, all: Bitfield } {
  const p = new PiecePicker(new Bitfield(length), { ...PICKING, random: seededRandom(1), randomFirstPieces: 0, sequential })
  const all = Bitfield.full(length)
  p.addPeer(all)
  return { p, all }
}

describe('core/piece-picker priorities (streamed readers)', () => {
  it('picks prioritized pieces first, higher levels first, in rarest-first and sequential modes', () => {
    for (const sequential of [false, true]) {
      const { p, all } = picker(20, sequential)
      p.setPriorities(new Map([[15, 200], [12, 255], [17, 1]]))
      assert.deepEqual(p.pick(all, 3, notAsked), [12, 15, 17], `sequential: ${sequential}`)
    }
  })

  it('a new set replaces the last one (a reader seeked)', () => {
    const { p, all } = picker(20, true)
    p.setPriorities(new Map([[18, 255]]))
    assert.deepEqual(p.pick(all, 1, notAsked), [18])
    p.setPriorities(new Map([[9, 255]]))
    assert.equal(p.priorityOf(18), 0)
    assert.deepEqual(p.pick(all, 2, notAsked), [9, 0])
    p.setPriorities(new Map())
    assert.deepEqual(p.pick(all, 1, notAsked), [0])
  })

  it('never picks a prioritized piece that is held, requested or the peer lacks', () => {
    const { p, all } = picker(10, true)
    p.markHave(3)
    p.markRequested(4)
    const some = new Bitfield(10)
    for (const i of [3, 4, 6, 7]) some.set(i)
    p.addPeer(some)
    p.setPriorities(new Map([[3, 255], [4, 255], [5, 255], [6, 10]]))
    assert.deepEqual(p.pick(some, 2, notAsked), [6, 7])
    assert.deepEqual(p.pick(all, 1, notAsked), [5])
  })

  it('ignores indexes out of range and levels of 0', () => {
    const { p, all } = picker(5, true)
    p.setPriorities(new Map([[-1, 255], [5, 255], [3, 0]]))
    assert.deepEqual(p.pick(all, 1, notAsked), [0])
  })
})
