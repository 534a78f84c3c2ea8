import assert from 'node:assert/strict'
import { hashInline, hashPiece, verifyPiece, verifyPieceWith } from '../../../src/core/piece-hash.js'
import { makeContent, pieceOf, sha256 } from '../fixtures.js'

describe('core/piece-hash', () => {
  const content = makeContent([{ path: 'file.bin', size: 40_000 }], { pieceSize: 16 * 1024 })

  it('hashPiece is SHA-256', () => {
    const piece = pieceOf(content, 1)
    assert.ok(hashPiece(piece).equals(sha256(piece)))
  })

  it('verifyPiece matches the bytes of a piece against the manifest, and nothing else', () => {
    for (const index of [0, 1, 2]) assert.equal(verifyPiece(content.manifest, index, pieceOf(content, index)), true)
    const bad = Buffer.from(pieceOf(content, 2))
    bad[0] ^= 1
    assert.equal(verifyPiece(content.manifest, 2, bad), false)
    assert.equal(verifyPiece(content.manifest, 1, pieceOf(content, 2)), false, 'the right bytes for another index')
  })

  it('verifyPieceWith gives the verdict and the piece handed back by the hashing', async () => {
    const piece = pieceOf(content, 1)
    const good = await verifyPieceWith(hashInline, content.manifest, 1, piece)
    assert.equal(good.good, true)
    assert.equal(good.piece, piece, 'inline hashing hands back the same bytes')
    assert.equal((await verifyPieceWith(hashInline, content.manifest, 0, piece)).good, false)
  })
})
