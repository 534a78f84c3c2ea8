import { PieceLayout } from '../core/layout.js'
import { StorageError } from '../errors.js'
import type { PieceStore } from './piece-store.js'
import type { Manifest } from '../core/manifest.js'

/** Pieces in memory: for tests and for content that is only passed through. */
export class MemoryPieceStore implements PieceStore {
  private readonly layout: PieceLayout
  private readonly pieces = new Map<number, Uint8Array>()

  constructor (manifest: Manifest) {
    this.layout = new PieceLayout(manifest)
  }

  async prepare (): Promise<void> {}

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

  async close (): Promise<void> {}
}
