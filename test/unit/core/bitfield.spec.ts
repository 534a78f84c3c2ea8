import assert from 'node:assert/strict'
import { Bitfield } from '../../../src/core/bitfield.js'
import { isNamedError } from '../fixtures.js'

const violation = (message?: RegExp): ((err: unknown) => boolean) => isNamedError('ProtocolViolationError', message)

/** The indexes set in `field`, by probing every one. */
function setIndexes (field: Bitfield): number[] {
  const out: number[] = []
  for (let i = 0; i < field.length; i++) if (field.has(i)) out.push(i)
  return out
}

describe('core/bitfield', () => {
  it('starts empty', () => {
    const field = new Bitfield(20)
    assert.equal(field.length, 20)
    assert.equal(field.count, 0)
    assert.equal(field.complete, false)
    assert.deepEqual(setIndexes(field), [])
    assert.deepEqual(field.toBytes(), new Uint8Array(3))
  })

  it('keeps its bits in the storage it is given, cleared first, beside its neighbours', () => {
    const shared = new Uint8Array(6).fill(0xff)
    const a = new Bitfield(16, undefined, shared.subarray(0, 2))
    const b = new Bitfield(16, new Uint8Array([0x80, 0x01]), shared.subarray(2, 4))
    a.set(15)
    assert.equal(a.count, 1)
    assert.deepEqual(setIndexes(b), [0, 15])
    assert.deepEqual([...shared], [0x00, 0x01, 0x80, 0x01, 0xff, 0xff])
    assert.throws(() => new Bitfield(16, undefined, shared.subarray(0, 3)), RangeError)
  })

  it('set, has, unset and count', () => {
    const field = new Bitfield(10)
    field.set(0)
    field.set(9)
    field.set(4)
    assert.deepEqual(setIndexes(field), [0, 4, 9])
    assert.equal(field.count, 3)
    field.unset(4)
    assert.deepEqual(setIndexes(field), [0, 9])
    assert.equal(field.count, 2)
  })

  it('setting a set bit or unsetting a clear bit does not change the count', () => {
    const field = new Bitfield(8)
    field.set(3)
    field.set(3)
    assert.equal(field.count, 1)
    field.unset(5)
    assert.equal(field.count, 1)
    field.unset(3)
    field.unset(3)
    assert.equal(field.count, 0)
  })

  it('ignores indexes out of range', () => {
    const field = new Bitfield(10)
    field.set(10)
    field.set(15) // a spare bit in the last byte
    field.set(-1)
    field.set(1000)
    assert.equal(field.count, 0)
    assert.equal(field.has(10), false)
    assert.equal(field.has(-1), false)
    assert.deepEqual(field.toBytes(), new Uint8Array(2))
  })

  it('is complete once every bit is set, and not after one is unset', () => {
    const field = new Bitfield(3)
    field.set(0)
    field.set(1)
    assert.equal(field.complete, false)
    field.set(2)
    assert.equal(field.complete, true)
    field.unset(1)
    assert.equal(field.complete, false)
  })

  it('a zero-length bitfield is complete and has no bytes', () => {
    const field = new Bitfield(0)
    assert.equal(field.complete, true)
    assert.equal(field.toBytes().byteLength, 0)
    assert.equal(Bitfield.fromBytes(new Uint8Array(0), 0).complete, true)
  })

  it('without: the pieces one field has and the other lacks, as a new field', () => {
    const a = new Bitfield(20)
    const b = new Bitfield(20)
    for (const i of [0, 3, 9, 19]) a.set(i)
    for (const i of [3, 4, 19]) b.set(i)
    const left = a.without(b)
    assert.deepEqual([...Array(20).keys()].filter(i => left.has(i)), [0, 9])
    assert.equal(left.count, 2)
    assert.equal(a.count, 4, 'the operands are left alone')
  })

  describe('byte layout: most significant bit first', () => {
    it('index 0 is 0x80 of byte 0, index 7 is 0x01, index 8 is 0x80 of byte 1', () => {
      const field = new Bitfield(16)
      field.set(0)
      assert.deepEqual(field.toBytes(), Uint8Array.of(0x80, 0x00))
      field.set(7)
      assert.deepEqual(field.toBytes(), Uint8Array.of(0x81, 0x00))
      field.set(8)
      assert.deepEqual(field.toBytes(), Uint8Array.of(0x81, 0x80))
      field.set(10)
      assert.deepEqual(field.toBytes(), Uint8Array.of(0x81, 0xa0))
    })

    it('reads bytes in the same order', () => {
      const field = Bitfield.fromBytes(Uint8Array.of(0x40, 0x01), 16)
      assert.deepEqual(setIndexes(field), [1, 15])
      assert.equal(field.count, 2)
    })

    it('full() sets exactly the first `length` bits', () => {
      assert.deepEqual(Bitfield.full(10).toBytes(), Uint8Array.of(0xff, 0xc0))
      assert.deepEqual(Bitfield.full(8).toBytes(), Uint8Array.of(0xff))
      assert.equal(Bitfield.full(13).count, 13)
      assert.equal(Bitfield.full(13).complete, true)
    })
  })

  describe('toBytes', () => {
    it('returns a copy: changing it does not change the field, and vice versa', () => {
      const field = new Bitfield(8)
      field.set(1)
      const bytes = field.toBytes()
      bytes[0] = 0xff
      assert.deepEqual(setIndexes(field), [1])
      field.set(2)
      assert.equal(bytes[0], 0xff)
      assert.deepEqual(field.toBytes(), Uint8Array.of(0x60))
    })

    it('round-trips through fromBytes for lengths that are not a multiple of 8', () => {
      for (const length of [1, 5, 7, 9, 15, 17, 100]) {
        const field = new Bitfield(length)
        for (let i = 0; i < length; i += 3) field.set(i)
        const copy = Bitfield.fromBytes(field.toBytes(), length)
        assert.deepEqual(setIndexes(copy), setIndexes(field), `length ${length}`)
        assert.equal(copy.count, field.count)
        assert.equal(field.toBytes().byteLength, Math.ceil(length / 8))
      }
    })
  })

  describe('fromBytes', () => {
    it('does not share the given buffer', () => {
      const bytes = Uint8Array.of(0x80)
      const field = Bitfield.fromBytes(bytes, 8)
      bytes[0] = 0xff
      assert.equal(field.count, 1)
      field.set(7)
      assert.equal(bytes[0], 0xff)
    })

    it('counts the set bits it is given', () => {
      assert.equal(Bitfield.fromBytes(Uint8Array.of(0xff, 0xf0), 12).count, 12)
      assert.equal(Bitfield.fromBytes(Uint8Array.of(0xff, 0xf0), 12).complete, true)
    })

    it('rejects too few or too many bytes', () => {
      assert.throws(() => Bitfield.fromBytes(new Uint8Array(1), 9), violation(/1 bytes for 9 pieces/))
      assert.throws(() => Bitfield.fromBytes(new Uint8Array(3), 9), violation())
      assert.throws(() => Bitfield.fromBytes(new Uint8Array(1), 0), violation())
      assert.throws(() => Bitfield.fromBytes(new Uint8Array(0), 1), violation())
    })

    it('rejects spare bits set past the last piece', () => {
      assert.throws(() => Bitfield.fromBytes(Uint8Array.of(0xff, 0x01), 9), violation(/past the last piece/))
      assert.throws(() => Bitfield.fromBytes(Uint8Array.of(0x00, 0x40), 9), violation())
      assert.throws(() => Bitfield.fromBytes(Uint8Array.of(0x01), 7), violation())
      // the last real bit set is fine
      assert.deepEqual(setIndexes(Bitfield.fromBytes(Uint8Array.of(0x00, 0x80), 9)), [8])
      assert.deepEqual(setIndexes(Bitfield.fromBytes(Uint8Array.of(0x02), 7)), [6])
    })
  })
})
