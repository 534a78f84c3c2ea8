import assert from 'node:assert/strict'
import { PieceLayout } from '../../../src/core/layout.js'
import { seededRandom } from '../fixtures.js'
import type { Span } from '../../../src/core/layout.js'
import type { Manifest } from '../../../src/core/manifest.js'

/**
 * A layout over files of `sizes` bytes. PieceLayout does not validate, so tiny piece sizes
 * keep the expected spans readable.
 */
function layoutOf (sizes: number[], pieceSize: number): PieceLayout {
  const total = sizes.reduce((a, b) => a + b, 0)
  const manifest: Manifest = {
    version: 1,
    name: 'c',
    directory: true,
    pieceSize,
    files: sizes.map((size, i) => ({ path: `f${i}`, size })),
    pieceHashes: new Uint8Array(Math.ceil(total / pieceSize) * 32)
  }
  return new PieceLayout(manifest)
}

const span = (fileIndex: number, fileOffset: number, pieceOffset: number, length: number): Span => ({ fileIndex, fileOffset, pieceOffset, length })

function allSpans (layout: PieceLayout): Span[][] {
  return Array.from({ length: layout.pieceCount }, (_, i) => layout.spans(i))
}

describe('core/layout', () => {
  it('counts pieces and the total size', () => {
    const layout = layoutOf([3, 0, 10], 4)
    assert.equal(layout.totalSize, 13)
    assert.equal(layout.pieceCount, 4)
    assert.equal(layout.pieceSize, 4)
    assert.deepEqual([0, 1, 2, 3].map(i => layout.pieceLength(i)), [4, 4, 4, 1])
  })

  it('one file over several pieces, with a short last piece', () => {
    assert.deepEqual(allSpans(layoutOf([20], 8)), [
      [span(0, 0, 0, 8)],
      [span(0, 8, 0, 8)],
      [span(0, 16, 0, 4)]
    ])
  })

  it('pieces across many small files', () => {
    assert.deepEqual(allSpans(layoutOf([3, 3, 3, 3], 5)), [
      [span(0, 0, 0, 3), span(1, 0, 3, 2)],
      [span(1, 2, 0, 1), span(2, 0, 1, 3), span(3, 0, 4, 1)],
      [span(3, 1, 0, 2)]
    ])
  })

  it('a piece that holds many whole files', () => {
    assert.deepEqual(allSpans(layoutOf([1, 1, 1, 1, 1, 1], 16)), [
      [0, 1, 2, 3, 4, 5].map(i => span(i, 0, i, 1))
    ])
  })

  it('file boundaries exactly at piece boundaries', () => {
    assert.deepEqual(allSpans(layoutOf([8, 8, 16], 8)), [
      [span(0, 0, 0, 8)],
      [span(1, 0, 0, 8)],
      [span(2, 0, 0, 8)],
      [span(2, 8, 0, 8)]
    ])
  })

  it('empty files at the start, in the middle and at the end take no span', () => {
    assert.deepEqual(allSpans(layoutOf([0, 0, 4, 0, 4, 0, 0], 4)), [
      [span(2, 0, 0, 4)],
      [span(4, 0, 0, 4)]
    ])
    assert.deepEqual(allSpans(layoutOf([0, 3, 0, 0, 3, 0], 4)), [
      [span(1, 0, 0, 3), span(4, 0, 3, 1)],
      [span(4, 1, 0, 2)]
    ])
  })

  it('empty files exactly at a piece boundary', () => {
    assert.deepEqual(allSpans(layoutOf([4, 0, 0, 4], 4)), [
      [span(0, 0, 0, 4)],
      [span(3, 0, 0, 4)]
    ])
  })

  it('only empty files: no pieces', () => {
    const layout = layoutOf([0, 0, 0], 4)
    assert.equal(layout.totalSize, 0)
    assert.equal(layout.pieceCount, 0)
  })

  it('property: the spans of all pieces cover every byte of every file once, in order', () => {
    const random = seededRandom(0x5eed)
    for (let trial = 0; trial < 500; trial++) {
      const fileCount = 1 + Math.floor(random() * 12)
      // many empty and tiny files, a few larger ones
      const sizes = Array.from({ length: fileCount }, () => {
        const r = random()
        return r < 0.25 ? 0 : r < 0.8 ? Math.floor(random() * 6) : Math.floor(random() * 60)
      })
      const pieceSize = [1, 2, 3, 4, 5, 7, 8, 16, 64][Math.floor(random() * 9)]
      const layout = layoutOf(sizes, pieceSize)
      const label = `sizes ${JSON.stringify(sizes)}, piece size ${pieceSize}`

      // every byte of the content as [file, offset], in order
      const expected: Array<[number, number]> = []
      sizes.forEach((size, file) => { for (let o = 0; o < size; o++) expected.push([file, o]) })
      const covered: Array<[number, number]> = []
      for (let index = 0; index < layout.pieceCount; index++) {
        let inPiece = 0
        for (const s of layout.spans(index)) {
          assert.ok(s.length > 0, `empty span in piece ${index}: ${label}`)
          assert.equal(s.pieceOffset, inPiece, `spans of piece ${index} are not contiguous: ${label}`)
          for (let o = 0; o < s.length; o++) covered.push([s.fileIndex, s.fileOffset + o])
          inPiece += s.length
        }
        assert.equal(inPiece, layout.pieceLength(index), `piece ${index} is not filled: ${label}`)
      }
      assert.deepEqual(covered, expected, label)
    }
  })
})
