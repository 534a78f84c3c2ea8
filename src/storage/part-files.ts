import { link, lstat, rename, rmdir, stat, unlink } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Bitfield } from '../core/bitfield.js'
import { PieceLayout } from '../core/layout.js'
import { PathError, StorageError } from '../errors.js'
import { syncFolder } from '../utils/sync-folder.js'
import type { Manifest } from '../core/manifest.js'
import type { FileSelection } from '../core/selection.js'

/** What an incomplete file of a download carries after its name (as Transmission does). */
export const PART_SUFFIX = '.part'

/** The name a download's file has until every piece in it is verified. */
export function partPath (path: string): string {
  return `${path}${PART_SUFFIX}`
}

/** link(2) is missing here (FAT, some network shares): the rename below is the fallback. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'])

export interface PartFilesInit {
  manifest: Manifest
  /** The final (checked) path of file `index`. */
  finalPath(index: number): string
  /** A download's files: `.part` names until complete. Added files are always under their own names. */
  download: boolean
  /** Nothing of the content exists yet: every incomplete file is made under its `.part` name. */
  fresh: boolean
  /** Pieces already verified in the files. */
  have?: Bitfield
  /** Pieces of which only the selected files' bytes are in the files. */
  partial?: { pieces: Bitfield, selected: FileSelection }
}

/**
 * Which name each file of a content has on disk. A download writes each file under
 * `<name>.part` and renames it into place once every piece in it is verified and written,
 * with link(2) then unlink(2): the link fails if the final name was taken meanwhile, so
 * nothing that appeared there is clobbered. Empty files have no pieces: they are made under
 * their own names when the content completes. A file whose `.part` name is another file of
 * the same content (or one of its folders) keeps its own name throughout.
 */
export class PartFiles {
  private readonly init: PartFilesInit
  private readonly layout: PieceLayout
  /** Pieces of each file not yet stored. */
  private readonly missing: number[]
  private readonly named: boolean[]
  private readonly stored: Bitfield
  /** Complete when opened: renamed into place by an earlier run (or, after a crash, about to be). */
  private readonly completeAtStart: boolean[]
  /** Where each file is, once known. */
  private readonly located = new Map<number, string>()
  /** Pieces written only for some of their files (selected files): the files counted so far. */
  private readonly partly = new Map<number, Set<number>>()
  /** Folders in which a file was renamed since the last `takeRenamed`. */
  private renamedIn = new Set<string>()

  constructor (init: PartFilesInit) {
    this.init = init
    this.layout = new PieceLayout(init.manifest)
    this.stored = init.have === undefined ? new Bitfield(this.layout.pieceCount) : new Bitfield(init.have.length, init.have.toBytes())
    this.named = partNamed(init.manifest, init.download)
    this.missing = init.manifest.files.map(() => 0)
    for (let piece = 0; piece < this.layout.pieceCount; piece++) {
      if (this.stored.has(piece)) continue
      for (const span of this.layout.spans(piece)) this.missing[span.fileIndex]++
    }
    const { partial } = init
    if (partial !== undefined) {
      for (let piece = 0; piece < this.layout.pieceCount; piece++) {
        if (partial.pieces.has(piece) && !this.stored.has(piece)) this.countWritten(piece, partial.selected)
      }
    }
    this.completeAtStart = this.missing.map(m => m === 0)
  }

  /** Every piece of file `index` is stored (an empty file always is). */
  complete (index: number): boolean {
    return this.missing[index] === 0
  }

  /** A download's files carry `.part` names. */
  get download (): boolean {
    return this.init.download
  }

  /** A complete file that had a `.part` name: it exists (under one name or the other), and is never made anew. */
  mustExist (index: number): boolean {
    return this.named[index] && this.complete(index)
  }

  /** Where file `index` is now, as far as known without looking (for messages). */
  current (index: number): string {
    return this.located.get(index) ?? this.init.finalPath(index)
  }

  /**
   * Where file `index` is, or is to be made: its own name once complete (or if it never has
   * a `.part` name); else its `.part` name, unless only the final name is there (a download
   * begun by a Shoal that made no `.part` files goes on in place).
   */
  async locate (index: number): Promise<string> {
    const known = this.located.get(index)
    if (known !== undefined) return known
    const final = this.init.finalPath(index)
    let path = final
    if (this.named[index] && !this.complete(index)) {
      const part = partPath(final)
      const onlyFinal = !this.init.fresh && !(await exists(part)) && await exists(final)
      path = onlyFinal ? final : part
    }
    this.located.set(index, path)
    return path
  }

  /**
   * Piece `index` was written (with `files`, only the selected files' bytes): the files it
   * completes, which are then to be renamed into place.
   */
  pieceStored (index: number, files?: FileSelection): number[] {
    if (this.stored.has(index)) return []
    return this.countWritten(index, files)
  }

  /** Count the piece's spans in the files it was written to (each file once per piece). */
  private countWritten (index: number, files?: FileSelection): number[] {
    const counted = this.partly.get(index) ?? new Set<number>()
    const completed: number[] = []
    let whole = true
    for (const span of this.layout.spans(index)) {
      if (files !== undefined && files[span.fileIndex] !== true) {
        whole = false
        continue
      }
      if (counted.has(span.fileIndex)) continue
      counted.add(span.fileIndex)
      if (--this.missing[span.fileIndex] === 0 && this.named[span.fileIndex]) completed.push(span.fileIndex)
    }
    if (whole) {
      this.stored.set(index)
      this.partly.delete(index)
    } else {
      this.partly.set(index, counted)
    }
    return completed
  }

  /**
   * Give a complete file its own name. Fails with PathError naming both paths, keeping the
   * `.part`, if something else took the final name meanwhile.
   */
  async finalize (index: number): Promise<void> {
    const final = this.init.finalPath(index)
    const part = partPath(final)
    if (this.located.get(index) === final) return
    if (!(await exists(part))) {
      this.located.set(index, final)
      return
    }
    await linkIntoPlace(part, final)
    this.located.set(index, final)
    this.renamedIn.add(dirname(final))
    await unlink(part).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'ENOENT') throw err })
  }

  /** Complete files still under their `.part` name (a crash between write and rename): renamed now. */
  async settle (): Promise<void> {
    for (let i = 0; i < this.named.length; i++) {
      if (this.named[i] && this.complete(i)) await this.finalize(i)
    }
  }

  /** The folders to fsync so the renames made since the last call are durable. */
  takeRenamed (): string[] {
    const folders = [...this.renamedIn]
    this.renamedIn = new Set()
    return folders
  }

  /**
   * Delete what this download made: each file under the name it has now (a complete one under
   * its own name, an incomplete one only as its `.part`), then the content's folders, deepest
   * first, each only if it is empty. Never anything else that is there.
   */
  async remove (root: string): Promise<void> {
    const { manifest } = this.init
    for (let i = 0; i < manifest.files.length; i++) {
      for (const path of this.madeBy(i)) await unlink(path).catch(ignoreMissing)
    }
    if (!manifest.directory) return
    const folders = new Set<string>()
    for (const file of manifest.files) {
      const parts = file.path.split('/').slice(0, -1)
      for (let depth = 1; depth <= parts.length; depth++) folders.add(join(root, ...parts.slice(0, depth)))
    }
    const deepestFirst = [...folders].sort((a, b) => b.length - a.length)
    for (const folder of [...deepestFirst, root]) await rmdir(folder).catch(() => {})
  }

  /**
   * The names of file `index` that are this download's: the final name only once it was
   * renamed there (not when the rename failed because something else took it), and never an
   * incomplete file under its own name.
   */
  private madeBy (index: number): string[] {
    const final = this.init.finalPath(index)
    if (!this.named[index]) return [final]
    if (this.completeAtStart[index]) return [final, partPath(final)]
    return this.complete(index) && this.located.get(index) === final ? [final] : [partPath(final)]
  }
}

/** Which files carry a `.part` name while incomplete. */
export function partNamed (manifest: Manifest, download: boolean): boolean[] {
  if (!download) return manifest.files.map(() => false)
  const taken = new Set<string>()
  for (const file of manifest.files) {
    const parts = file.path.split('/')
    for (let depth = 1; depth <= parts.length; depth++) taken.add(parts.slice(0, depth).join('/'))
  }
  return manifest.files.map(f => f.size > 0 && (!manifest.directory || !taken.has(`${f.path}${PART_SUFFIX}`)))
}

/** link, then the caller unlinks: fails on EEXIST instead of replacing what is at `final`. */
async function linkIntoPlace (part: string, final: string): Promise<void> {
  try {
    await link(part, final)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') {
      // a crash between link and unlink left both names on one file: it is ours
      if (await sameFile(part, final)) return
      throw new PathError(`${final} appeared while the download was writing ${part}: it is not overwritten; the download keeps ${part} (move ${final} away and run the same get again)`, { cause: err })
    }
    if (code !== undefined && NO_HARD_LINKS.has(code)) {
      if (await exists(final)) throw new PathError(`${final} appeared while the download was writing ${part}: it is not overwritten; the download keeps ${part}`, { cause: err })
      await rename(part, final)
      return
    }
    throw new StorageError(`cannot rename ${part} to ${final}: ${(err as Error).message}`, { cause: err })
  }
}

async function sameFile (a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([lstat(a), lstat(b)])
  return x.dev === y.dev && x.ino === y.ino
}

async function exists (path: string): Promise<boolean> {
  return await lstat(path).then(() => true, () => false)
}

function ignoreMissing (err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err
}


/** Whether the output at `root` holds a download of `manifest` that is not whole: a file is missing under its own name. */
export async function isPartialOutput (root: string, manifest: Manifest, finalPath: (index: number) => string): Promise<boolean> {
  const info = await lstat(root).catch(() => undefined)
  if (!manifest.directory) return info === undefined && await exists(partPath(root))
  if (info === undefined || !info.isDirectory()) return false
  for (let i = 0; i < manifest.files.length; i++) {
    if (!(await stat(finalPath(i)).then(s => s.isFile(), () => false))) return true
  }
  return false
}
