import { Bitfield } from '../core/bitfield.js'
import { pieceCount } from '../core/manifest.js'
import { verifyPiece } from '../core/piece-hash.js'
import type { PieceStore } from './piece-store.js'
import type { Manifest } from '../core/manifest.js'

/**
 * Which pieces a store really holds: read and hash each one. A piece that cannot be read
 * (missing or short file) counts as absent. Used when files may have changed under us.
 */
export async function verifyStoredPieces (store: PieceStore, manifest: Manifest, signal?: AbortSignal): Promise<Bitfield> {
  return await verifyPieces(store, manifest, Bitfield.full(pieceCount(manifest)), signal)
}

/** Of the pieces in `which`, those the store really holds (read and hashed). */
export async function verifyPieces (store: PieceStore, manifest: Manifest, which: Bitfield, signal?: AbortSignal): Promise<Bitfield> {
  const count = pieceCount(manifest)
  const have = new Bitfield(count)
  for (let i = 0; i < count; i++) {
    if (!which.has(i)) continue
    signal?.throwIfAborted()
    const data = await store.readPiece(i).catch(() => undefined)
    if (data === undefined) continue
    if (verifyPiece(manifest, i, data)) have.set(i)
  }
  return have
}
