import assert from 'node:assert/strict'
import { Bitfield } from '../../../src/core/bitfield.js'
import { PieceLayout } from '../../../src/core/layout.js'
import { SelectedFiles } from '../../../src/swarm/selected-files.js'
import type { Manifest } from '../../../src/core/manifest.js'

// pieces of 10 bytes: a 0-14 (pieces 0, 1), b 15-24 (pieces 1, 2), c 25-39 (pieces 2, 3)
const layout = new PieceLayout({
  name: 'f',
  directory: true,
  pieceSize: 10,
  files: [{ path: 'a', size: 15 }, { path: 'b', size: 10 }, { path: 'c', size: 15 }]
} as unknown as Manifest)
const B_ONLY = [false, true, false]

describe('swarm/selected-files', () => {
  it('is done once every wanted piece is had or kept in part; counts the selected bytes as they land', () => {
    const have = new Bitfield(4)
    const selected = new SelectedFiles(layout, have, B_ONLY)
    assert.deepEqual([0, 1, 2, 3].filter(i => selected.wanted?.has(i)), [1, 2])
    assert.deepEqual(selected.bytes, { size: 10, have: 0 })
    assert.equal(selected.storedPart(1, B_ONLY), true)
    assert.deepEqual(selected.bytes, { size: 10, have: 5 })
    assert.equal(selected.done(have), false)
    assert.equal(selected.storedPart(2, B_ONLY), true)
    assert.equal(selected.done(have), true)
    assert.deepEqual(selected.bytes, { size: 10, have: 10 })
    assert.equal(selected.holds(have, 1, 1), true)
    assert.equal(selected.holds(have, 1, 0), false, 'a\'s bytes of the shared piece were dropped')
  })

  it('a piece had whole counts too (counted as it lands, not searched)', () => {
    const have = new Bitfield(4)
    const selected = new SelectedFiles(layout, have, [true, false, false])
    selected.pieceHad(0)
    have.set(0)
    assert.equal(selected.done(have), false)
    assert.equal(selected.storedPart(1, [true, false, false]), true)
    assert.equal(selected.storedPart(1, [true, false, false]), true, 'kept once, counted once')
    assert.equal(selected.done(have), true)
    assert.deepEqual(selected.bytes, { size: 15, have: 15 })
  })

  it('a selection that takes a file whose bytes were dropped gives the shared pieces back to fetch', () => {
    const have = new Bitfield(4)
    const selected = new SelectedFiles(layout, have, B_ONLY)
    selected.storedPart(1, B_ONLY)
    selected.storedPart(2, B_ONLY)
    assert.deepEqual(selected.change([false, true, true]), [2], 'piece 2 holds c\'s bytes, which were not written')
    assert.equal(selected.partial.has(1), true)
    assert.deepEqual(selected.bytes, { size: 25, have: 5 })
    assert.deepEqual(selected.change(undefined), [1])
    assert.equal(selected.wanted, undefined)
  })

  it('a piece written for a selection that has since grown is not kept: it is fetched again', () => {
    const have = new Bitfield(4)
    const selected = new SelectedFiles(layout, have, B_ONLY)
    selected.change([true, true, false])
    assert.equal(selected.storedPart(1, B_ONLY), false)
    assert.equal(selected.partial.has(1), false)
  })
})
