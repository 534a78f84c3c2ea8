import assert from 'node:assert/strict'
import { PieceHasher, hashPiece, verifyPiece } from '../../../src/core/piece-hash.js'
import { makeContent, pieceOf, seededRandom, sha256, splitOddly } from '../fixtures.js'

describe('core/piece-hash', () => {
  const content = makeContent([{ path: 'file.bin', size: 40_000 }], { pieceSize: 16 * 1024 })

  it('hashPiece is SHA-256', () => {
    const piece = pieceOf(content, 1)
    assert.ok(hashPiece(piece).equals(sha256(piece)))
  })

  it('a hasher fed a piece in uneven runs gives the whole piece its digest, once', () => {
    const piece = pieceOf(content, 0)
    const hasher = new PieceHasher()
    for (const run of splitOddly(piece, seededRandom(7))) hasher.update(run)
    assert.ok(hasher.digest().equals(sha256(piece)))
    assert.ok(hasher.digest().equals(sha256(piece)), 'asked again, the same digest')
    assert.throws(() => { hasher.update(new Uint8Array(1)) })
  })

  it('verifyPiece matches bytes or a fed hasher against the manifest, and nothing else', () => {
    for (const index of [0, 1, 2]) {
      const piece = pieceOf(content, index)
      assert.equal(verifyPiece(content.manifest, index, piece), true)
      const hasher = new PieceHasher()
      hasher.update(piece)
      assert.equal(verifyPiece(content.manifest, index, hasher), true)
    }
    const bad = Buffer.from(pieceOf(content, 2))
    bad[0] ^= 1
    assert.equal(verifyPiece(content.manifest, 2, bad), false)
    assert.equal(verifyPiece(content.manifest, 1, pieceOf(content, 2)), false, 'the right bytes for another index')
  })
})
