import { createHash } from 'node:crypto'
import { pieceHash } from './manifest.js'
import type { Manifest } from './manifest.js'

/** SHA-256 of a whole piece in memory. */
export function hashPiece (data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest()
}

/** A piece's digest, and its bytes: `piece` may view another buffer than the one hashed. */
export interface HashedPiece {
  digest: Uint8Array
  piece: Uint8Array
}

/**
 * SHA-256 of a piece's bytes, wherever it is computed (see storage/hash-thread). The piece
 * handed in may be moved to another thread: use only the one handed back.
 */
export interface PieceHashing {
  hash(piece: Uint8Array): Promise<HashedPiece>
}

/** Hashes on the calling thread. */
export const hashInline: PieceHashing = {
  hash: async (piece) => ({ digest: hashPiece(piece), piece })
}

/**
 * Whether a piece's bytes match the manifest's hash for `index`. With these two, the one place
 * a piece is verified.
 */
export function verifyPiece (manifest: Manifest, index: number, piece: Uint8Array): boolean {
  return hashPiece(piece).equals(pieceHash(manifest, index))
}

/** verifyPiece, the hash taken by `hashing` (off the event loop where it can): whether it matched, and the piece's bytes now. */
export async function verifyPieceWith (hashing: PieceHashing, manifest: Manifest, index: number, piece: Uint8Array): Promise<{ good: boolean, piece: Uint8Array }> {
  const hashed = await hashing.hash(piece)
  return { good: Buffer.from(hashed.digest.buffer, hashed.digest.byteOffset, hashed.digest.byteLength).equals(pieceHash(manifest, index)), piece: hashed.piece }
}
