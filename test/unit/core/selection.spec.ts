import assert from 'node:assert/strict'
import { PieceLayout } from '../../../src/core/layout.js'
import { fileProgress, isBoundaryPiece, resolveSelection, selectionPaths, wantedPieces, widenSelection } from '../../../src/core/selection.js'
import type { Manifest } from '../../../src/core/manifest.js'

// pieces of 10 bytes: a.txt 0-14 (pieces 0, 1), docs/b.md 15-24 (pieces 1, 2), docs/img/c.png 25-44 (pieces 2, 3, 4), e 45-45 empty, z 45-49 (piece 4)
const manifest: Manifest = {
  name: 'folder',
  directory: true,
  pieceSize: 10,
  files: [
    { path: 'a.txt', size: 15 },
    { path: 'docs/b.md', size: 10 },
    { path: 'docs/img/c.png', size: 20 },
    { path: 'e', size: 0 },
    { path: 'z', size: 5 }
  ],
  pieces: []
} as unknown as Manifest

const layout = new PieceLayout(manifest)

function indexes (selected: readonly boolean[]): number[] {
  return selected.flatMap((on, i) => on ? [i] : [])
}

describe('core/selection', () => {
  it('a path names a file, or a folder and every file under it', () => {
    assert.deepEqual(indexes(resolveSelection(manifest, ['a.txt'])), [0])
    assert.deepEqual(indexes(resolveSelection(manifest, ['docs'])), [1, 2])
    assert.deepEqual(indexes(resolveSelection(manifest, ['docs/img/', 'z'])), [2, 4])
    assert.deepEqual(indexes(resolveSelection(manifest, ['folder/docs/b.md'])), [1], 'the content\'s own name may lead')
  })

  it('a folder prefix is a whole name: "doc" is not "docs"', () => {
    assert.throws(() => resolveSelection(manifest, ['doc']), (err: Error) => err.name === 'UnknownPathError' && /"doc" is not a file or folder of folder; did you mean "docs"/.test(err.message))
  })

  it('an unknown path lists close names, and names of the same file elsewhere', () => {
    assert.throws(() => resolveSelection(manifest, ['c.png']), (err: Error) => err.name === 'UnknownPathError' && /did you mean "docs\/img\/c.png"/.test(err.message))
    assert.throws(() => resolveSelection(manifest, ['nothing-like-it']), (err: Error) => /it has "a.txt", "docs", "e", "z"/.test(err.message))
  })

  it('the pieces wanted are every piece that holds a byte of a selected file; boundary pieces are shared', () => {
    const b = resolveSelection(manifest, ['docs/b.md'])
    assert.deepEqual([0, 1, 2, 3, 4].filter(i => wantedPieces(layout, b).has(i)), [1, 2])
    assert.equal(isBoundaryPiece(layout, b, 1), true)
    assert.equal(isBoundaryPiece(layout, b, 2), true)
    const docs = resolveSelection(manifest, ['docs', 'a.txt'])
    assert.equal(isBoundaryPiece(layout, docs, 1), false, 'both files of piece 1 are selected')
  })

  it('a selection of every file is no selection; widening joins two, and with undefined takes all', () => {
    assert.equal(selectionPaths(manifest, resolveSelection(manifest, ['folder'])), undefined)
    assert.deepEqual(selectionPaths(manifest, resolveSelection(manifest, ['docs'])), ['docs/b.md', 'docs/img/c.png'])
    assert.deepEqual(indexes(widenSelection(resolveSelection(manifest, ['a.txt']), resolveSelection(manifest, ['z'])) ?? []), [0, 4])
    assert.equal(widenSelection(resolveSelection(manifest, ['a.txt']), undefined), undefined)
  })

  it('file progress counts each file\'s bytes that are held, per file', () => {
    const held = new Set(['1:0', '1:1', '2:1'])
    const progress = fileProgress(manifest, resolveSelection(manifest, ['docs/b.md']), (piece, file) => held.has(`${piece}:${file}`))
    assert.deepEqual(progress.map(f => [f.path, f.selected, f.bytesVerified, f.complete]), [
      ['a.txt', false, 5, false],
      ['docs/b.md', true, 10, true],
      ['docs/img/c.png', false, 0, false],
      ['e', false, 0, true],
      ['z', false, 0, false]
    ])
  })
})
