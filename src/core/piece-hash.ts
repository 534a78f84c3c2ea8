import { createHash } from 'node:crypto'
import { pieceHash } from './manifest.js'
import type { Manifest } from './manifest.js'
import type { Hash } from 'node:crypto'

/**
 * SHA-256 of one piece, fed as its bytes arrive (hashing while the bytes are still in cache
 * costs no second pass over them). node:crypto only: no copy of the data is made.
 */
export class PieceHasher {
  private readonly hash: Hash = createHash('sha256')
  private result?: Buffer

  update (data: Uint8Array): void {
    if (this.result !== undefined) throw new Error('the piece was hashed already')
    this.hash.update(data)
  }

  /** The digest of everything fed so far; taken once, after the last byte. */
  digest (): Buffer {
    this.result ??= this.hash.digest()
    return this.result
  }
}

/** SHA-256 of a whole piece in memory. */
export function hashPiece (data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest()
}

/**
 * Whether a piece matches the manifest's hash for `index`: given its bytes (hashed here) or
 * the hasher that was fed them as they arrived. The one place a piece is verified.
 */
export function verifyPiece (manifest: Manifest, index: number, piece: Uint8Array | PieceHasher): boolean {
  const digest = piece instanceof PieceHasher ? piece.digest() : hashPiece(piece)
  return digest.equals(pieceHash(manifest, index))
}
