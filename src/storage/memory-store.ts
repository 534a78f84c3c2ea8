import { PieceLayout } from '../core/layout.js'
import { StorageError } from '../errors.js'
import type { FileFingerprints, PieceStore } from './piece-store.js'
import type { Manifest } from '../core/manifest.js'

/** Pieces in memory: for tests and for content that is only passed through. */
export class MemoryPieceStore implements PieceStore {
  private readonly manifest: Manifest
  private readonly layout: PieceLayout
  private readonly pieces = new Map<number, Uint8Array>()

  constructor (manifest: Manifest) {
    this.manifest = manifest
    this.layout = new PieceLayout(manifest)
  }

  async prepare (): Promise<void> {}
  async complete (): Promise<void> {}

  async readPiece (index: number): Promise<Uint8Array> {
    const piece = this.pieces.get(index)
    if (piece === undefined) throw new StorageError(`piece ${index} is not stored`)
    return piece
  }

  async writePiece (index: number, chunks: readonly Uint8Array[]): Promise<void> {
    const piece = Buffer.concat(chunks)
    if (piece.byteLength !== this.layout.pieceLength(index)) throw new StorageError(`piece ${index} has the wrong length`)
    this.pieces.set(index, piece)
  }

  async flush (): Promise<void> {}
  async syncAll (): Promise<void> {}

  /** Memory has no times: each file's size, at time 0 (nothing else changes it under us). */
  async fingerprints (): Promise<FileFingerprints> {
    return this.manifest.files.map(f => [f.size, 0])
  }

  /** Nothing changes pieces in memory under the store: nothing to watch. */
  serveWhileUnchanged (_verifiedAs: FileFingerprints, _onChanged: () => void): void {}

  async close (): Promise<void> {}

  async remove (): Promise<void> {
    this.pieces.clear()
  }
}
