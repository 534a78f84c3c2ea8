import { Bitfield } from '../core/bitfield.js'
import { wantedPieces } from '../core/selection.js'
import type { PieceLayout } from '../core/layout.js'
import type { FileSelection } from '../core/selection.js'

/**
 * The files a download wants (all, or those `--only` named) and the pieces it keeps only in
 * part: a piece shared with a file not selected is verified whole, but only the selected
 * files' bytes are written. Such a piece is not "had": the swarm never announces or serves it
 * (its other bytes are not on disk), and a selection that later takes its other file fetches
 * it again.
 */
export class SelectedFiles {
  private files?: FileSelection
  private wantedPieces?: Bitfield
  /** Verified pieces of which only the selected files' bytes were written. */
  readonly partial: Bitfield
  /** Bytes of the selected files, and of those verified and on disk (kept as pieces land: progress is per piece). */
  private sizeSelected = 0
  private heldSelected = 0
  /** Wanted pieces neither had nor kept in part: `done` is asked at every piece, so it is counted, not searched. */
  private missingWanted = 0

  constructor (private readonly layout: PieceLayout, private readonly have: Bitfield, files?: FileSelection, partial?: Bitfield) {
    this.partial = partial ?? new Bitfield(layout.pieceCount)
    this.apply(files)
  }

  /** Bytes of the selected files (of every file, with no selection) and how many of them are here. */
  get bytes (): { size: number, have: number } {
    return { size: this.sizeSelected, have: this.heldSelected }
  }

  /** Piece `index` is had whole now. */
  pieceHad (index: number): void {
    if (this.files === undefined) return
    if (this.wantedPieces?.has(index) === true && !this.partial.has(index)) this.missingWanted--
    for (const span of this.layout.spans(index)) if (this.files[span.fileIndex] && !this.partial.has(index)) this.heldSelected += span.length
  }

  /** The selected files; undefined: every file. */
  get selection (): FileSelection | undefined {
    return this.files
  }

  /** The pieces to fetch; undefined: every piece. */
  get wanted (): Bitfield | undefined {
    return this.wantedPieces
  }

  /** Every wanted piece is had whole, or written for the selected files. */
  done (have: Bitfield): boolean {
    return have.complete || (this.wantedPieces !== undefined && this.missingWanted === 0)
  }

  /** Piece `index` was written for `written` only: whether it is kept as partial (false: wanted again, or of no use). */
  storedPart (index: number, written: FileSelection): boolean {
    if (this.partial.has(index)) return true
    const spans = this.layout.spans(index)
    const current = this.files
    // a file selected since the write began was not written: the piece is fetched again
    if (spans.some(s => written[s.fileIndex] !== true && (current === undefined || current[s.fileIndex]))) return false
    if (!spans.some(s => written[s.fileIndex])) return false
    this.partial.set(index)
    if (this.wantedPieces?.has(index) === true && !this.have.has(index)) this.missingWanted--
    for (const span of spans) if (written[span.fileIndex]) this.heldSelected += span.length
    return true
  }

  /** Whether `file`'s bytes of `piece` are verified and on disk. */
  holds (have: Bitfield, piece: number, file: number): boolean {
    return have.has(piece) || (this.partial.has(piece) && this.files?.[file] === true)
  }

  /**
   * Select `next` (undefined: every file). Returns the partial pieces to fetch again: those
   * holding bytes of a file selected now whose bytes were dropped.
   */
  change (next: FileSelection | undefined): number[] {
    const before = this.files
    const again: number[] = []
    for (let i = 0; i < this.layout.pieceCount; i++) {
      if (!this.partial.has(i)) continue
      if (this.layout.spans(i).some(s => before?.[s.fileIndex] !== true && (next === undefined || next[s.fileIndex]))) {
        this.partial.unset(i)
        again.push(i)
      }
    }
    this.apply(next)
    return again
  }

  private apply (files: FileSelection | undefined): void {
    const all = files === undefined || files.every(Boolean)
    this.files = all ? undefined : [...files]
    this.wantedPieces = all ? undefined : wantedPieces(this.layout, files)
    this.recount()
  }

  /** The selection's bytes, counted afresh (at a change of selection: rare, and linear in the pieces). */
  private recount (): void {
    this.sizeSelected = 0
    this.heldSelected = 0
    this.missingWanted = 0
    for (let piece = 0; piece < this.layout.pieceCount; piece++) {
      if (this.wantedPieces?.has(piece) === true && !this.have.has(piece) && !this.partial.has(piece)) this.missingWanted++
      for (const span of this.layout.spans(piece)) {
        if (this.files !== undefined && !this.files[span.fileIndex]) continue
        this.sizeSelected += span.length
        if (this.holds(this.have, piece, span.fileIndex)) this.heldSelected += span.length
      }
    }
  }
}
