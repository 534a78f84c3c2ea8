import { totalSize } from './manifest.js'
import type { Manifest } from './manifest.js'

/** A stretch of one piece that lies in one file. */
export interface Span {
  readonly fileIndex: number
  /** Byte position within the file. */
  readonly fileOffset: number
  /** Byte position within the piece. */
  readonly pieceOffset: number
  readonly length: number
}

/**
 * Where each piece lies in the content's files: the files are one byte sequence cut into
 * pieces, so a piece may run across several (small) files.
 */
export class PieceLayout {
  readonly pieceSize: number
  readonly totalSize: number
  readonly pieceCount: number
  private readonly fileStarts: number[]
  private readonly fileSizes: number[]

  constructor (manifest: Manifest) {
    this.pieceSize = manifest.pieceSize
    this.totalSize = totalSize(manifest)
    this.pieceCount = Math.ceil(this.totalSize / this.pieceSize)
    this.fileSizes = manifest.files.map(f => f.size)
    this.fileStarts = []
    let start = 0
    for (const size of this.fileSizes) {
      this.fileStarts.push(start)
      start += size
    }
  }

  pieceLength (index: number): number {
    return Math.min(this.pieceSize, this.totalSize - index * this.pieceSize)
  }

  spans (index: number): Span[] {
    const start = index * this.pieceSize
    const end = start + this.pieceLength(index)
    const spans: Span[] = []
    for (let file = this.firstFileAt(start); file < this.fileSizes.length && this.fileStarts[file] < end; file++) {
      const fileStart = this.fileStarts[file]
      const from = Math.max(start, fileStart)
      const to = Math.min(end, fileStart + this.fileSizes[file])
      if (to > from) spans.push({ fileIndex: file, fileOffset: from - fileStart, pieceOffset: from - start, length: to - from })
    }
    return spans
  }

  /** The last file that starts at or before `position` (binary search). */
  private firstFileAt (position: number): number {
    let lo = 0
    let hi = this.fileStarts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (this.fileStarts[mid] <= position) lo = mid
      else hi = mid - 1
    }
    // skip empty files that start at the same position
    while (lo > 0 && this.fileStarts[lo - 1] === this.fileStarts[lo] && this.fileStarts[lo] === position) lo--
    return lo
  }
}
