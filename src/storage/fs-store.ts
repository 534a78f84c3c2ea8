import { lstat, open, stat } from 'node:fs/promises'
import { constants, fstatSync } from 'node:fs'
import { join, resolve, sep } from 'node:path'
import { PieceLayout } from '../core/layout.js'
import type { Span } from '../core/layout.js'
import { ContentChangedError, PathError, StorageError } from '../errors.js'
import { storageErrorOf } from './fs-errors.js'
import { OpenFiles } from './open-files.js'
import { PartFiles } from './part-files.js'
import { SafeFolders } from './safe-folders.js'
import { syncFolder } from '../utils/sync-folder.js'
import { sliceChunks } from '../utils/chunks.js'
import type { FileFingerprints, PieceStore, StoreInit } from './piece-store.js'
import type { Manifest } from '../core/manifest.js'
import type { FileSelection } from '../core/selection.js'
import type { FileHandle } from 'node:fs/promises'

export interface FsPieceStoreInit extends StoreInit {
  /** Open file handles kept at once. @default 64 */
  maxOpenFiles?: number
}

export type { FileFingerprints }

/**
 * Pieces in the content's own files, with positional reads and writes (no memory maps, no
 * whole-file buffers). Paths come from a validated manifest and are checked again here to
 * stay inside `root`.
 */
export class FsPieceStore implements PieceStore {
  private readonly root: string
  private readonly manifest: Manifest
  private readonly layout: PieceLayout
  private readonly mode: 'read' | 'write'
  private readonly fresh: boolean
  /** Each file's name on disk: `.part` while a download's file is incomplete. */
  private readonly parts: PartFiles
  /** Writes under way: close waits for them, so nothing is made after it. */
  private readonly writes = new Set<Promise<void>>()
  private closed = false
  /** Files this store created or opened for writing: a fresh store creates each exclusively, once. */
  private readonly created = new Set<number>()
  /** The folders files are written into: real folders, never links. */
  private readonly folders: SafeFolders
  private verifiedAs?: FileFingerprints
  private onChanged?: () => void
  private readonly files: OpenFiles
  private flushing: Promise<void> = Promise.resolve()

  constructor (init: FsPieceStoreInit) {
    this.root = resolve(init.root)
    this.manifest = init.manifest
    this.layout = new PieceLayout(init.manifest)
    this.mode = init.mode
    this.fresh = init.fresh === true
    this.files = new OpenFiles({
      maxOpenFiles: init.maxOpenFiles ?? 64,
      open: (index) => this.openFile(index),
      sync: (handle, index) => this.io(handle.datasync(), index)
    })
    this.folders = new SafeFolders({ root: this.root, fresh: this.fresh, io: (operation, index) => this.io(operation, index) })
    this.parts = new PartFiles({ manifest: init.manifest, finalPath: (i) => this.filePath(i), download: init.download === true, fresh: this.fresh, have: init.have, partial: init.partial })
  }

  /** Bytes changed since their pieces were verified are never served (see PieceStore). */
  serveWhileUnchanged (verifiedAs: FileFingerprints, onChanged: () => void): void {
    this.verifiedAs = verifiedAs
    this.onChanged = onChanged
  }

  async fingerprints (): Promise<FileFingerprints> {
    const out: FileFingerprints = []
    for (let i = 0; i < this.manifest.files.length; i++) {
      const info = await stat(await this.parts.locate(i)).catch(() => undefined)
      out.push(info === undefined ? [-1, -1] : [info.size, Math.floor(info.mtimeMs)])
    }
    return out
  }

  async syncAll (): Promise<void> {
    for (let i = 0; i < this.manifest.files.length; i++) {
      const path = await this.parts.locate(i)
      const handle = await open(path, 'r').catch(() => undefined)
      if (handle === undefined) continue
      try {
        await this.io(handle.datasync(), i)
      } finally {
        await handle.close()
      }
    }
  }

  /** Absolute path of file `index`, refusing anything that would land outside the root. */
  filePath (index: number): string {
    if (!this.manifest.directory) return this.root
    const path = resolve(join(this.root, ...this.manifest.files[index].path.split('/')))
    if (!path.startsWith(this.root + sep)) throw new PathError(`"${this.manifest.files[index].path}" would be outside ${this.root}`)
    return path
  }

  /**
   * Nothing is created before a piece arrives: a file is made (exclusively, for a fresh
   * download) when its first piece is written and grows as pieces land. Empty files are made
   * by complete(), or here when the content has no pieces at all. Resuming, a file longer
   * than the manifest says is cut back (a shorter one fills in).
   */
  async prepare (): Promise<void> {
    if (this.mode !== 'write') return
    if (this.layout.pieceCount === 0) {
      await this.complete()
      return
    }
    if (this.fresh) return
    await this.parts.settle().catch(async (err) => { await this.io(Promise.reject(err), 0) })
    for (let i = 0; i < this.manifest.files.length; i++) {
      const info = await lstat(await this.parts.locate(i)).catch(() => undefined)
      if (info !== undefined && (!info.isFile() || info.size > this.manifest.files[i].size)) {
        await this.withFile(i, async (handle) => { await this.io(handle.truncate(this.manifest.files[i].size), i) })
      }
    }
  }

  /** Create the files no piece wrote (the empty ones): the content is then whole on disk. */
  async complete (files?: FileSelection): Promise<void> {
    if (this.mode !== 'write') return
    for (let i = 0; i < this.manifest.files.length; i++) {
      if (this.manifest.files[i].size === 0 && !this.created.has(i) && files?.[i] !== false) await this.withFile(i, async () => {})
    }
  }

  async readPiece (index: number): Promise<Uint8Array> {
    const piece = Buffer.allocUnsafe(this.layout.pieceLength(index))
    for (const span of this.layout.spans(index)) {
      await this.withFile(span.fileIndex, async (handle) => { await this.readSpan(handle, piece, span) })
    }
    return piece
  }

  private async readSpan (handle: FileHandle, piece: Buffer, span: Span): Promise<void> {
    let done = 0
    while (done < span.length) {
      const { bytesRead } = await this.io(handle.read(piece, span.pieceOffset + done, span.length - done, span.fileOffset + done), span.fileIndex)
      if (bytesRead === 0) throw new StorageError(`${this.parts.current(span.fileIndex)} is shorter than the manifest says`)
      done += bytesRead
    }
    // after the read: a change made before it shows in the file's size or time
    if (this.verifiedAs !== undefined) this.assertUnchanged(handle, span.fileIndex)
  }

  private assertUnchanged (handle: FileHandle, fileIndex: number): void {
    // fstat of an open file is a short syscall; on the thread pool it cost a quarter of the
    // upload rate (one more queued operation per piece)
    let info: { size: number, mtimeMs: number }
    try {
      info = fstatSync(handle.fd)
    } catch (err) {
      throw new StorageError(`${this.parts.current(fileIndex)}: ${(err as Error).message}`, { cause: err })
    }
    const { size, mtimeMs } = info
    const [verifiedSize, verifiedMtime] = this.verifiedAs?.[fileIndex] ?? [size, Math.floor(mtimeMs)]
    if (size === verifiedSize && Math.floor(mtimeMs) === verifiedMtime) return
    this.onChanged?.()
    throw new ContentChangedError(`${this.filePath(fileIndex)} changed since its pieces were verified`)
  }

  async writePiece (index: number, chunks: readonly Uint8Array[], files?: FileSelection): Promise<void> {
    const writing = this.write(index, chunks, files)
    this.writes.add(writing)
    try {
      await writing
    } finally {
      this.writes.delete(writing)
    }
  }

  private async write (index: number, chunks: readonly Uint8Array[], files?: FileSelection): Promise<void> {
    if (this.mode !== 'write') throw new StorageError('this store serves files in place and does not write')
    const given = chunks.reduce((sum, c) => sum + c.byteLength, 0)
    if (given !== this.layout.pieceLength(index)) throw new StorageError(`piece ${index}: ${given} bytes given for a piece of ${this.layout.pieceLength(index)}`)
    for (const span of this.layout.spans(index)) {
      // a file not selected is never made: its bytes of a shared piece are dropped, verified
      if (files !== undefined && files[span.fileIndex] !== true) continue
      await this.withFile(span.fileIndex, async (handle) => { await this.writeSpan(handle, chunks, span) })
    }
    // a file whose last piece this was is complete: renamed into place (never after close)
    for (const file of this.parts.pieceStored(index, files)) {
      if (!this.closed) await this.io(this.parts.finalize(file), file)
    }
  }

  private async writeSpan (handle: FileHandle, chunks: readonly Uint8Array[], span: Span): Promise<void> {
    let buffers = sliceChunks(chunks, span.pieceOffset, span.length)
    let position = span.fileOffset
    let left = span.length
    while (left > 0) {
      const { bytesWritten } = await this.io(handle.writev(buffers, position), span.fileIndex)
      if (bytesWritten === 0) throw new StorageError(`${this.filePath(span.fileIndex)}: nothing could be written`)
      left -= bytesWritten
      position += bytesWritten
      if (left > 0) buffers = sliceChunks(buffers, bytesWritten, left)
    }
    // marked while the handle is held: its eviction or the next flush syncs it
    this.files.written(span.fileIndex)
  }

  /**
   * fdatasync every file written since the last flush. Flushes run one after another, so one
   * that returns has seen every write made before it was called, even those a flush already
   * under way had taken. The set is taken first: a write that lands while this runs marks its
   * file again, for the next flush (clearing the set after the syncs would lose it).
   */
  async flush (): Promise<void> {
    const run = this.flushing.catch(() => {}).then(async () => { await this.syncDirty() })
    this.flushing = run
    await run
  }

  private async syncDirty (): Promise<void> {
    // the renames into place, once their files' data is on disk
    const renamedIn = this.parts.takeRenamed()
    await this.files.syncWritten()
    for (const folder of renamedIn) await syncFolder(folder)
  }

  async close (): Promise<void> {
    this.closed = true
    await Promise.allSettled([...this.writes])
    if (this.mode === 'write') await this.flush().catch(() => {})
    await this.files.closeAll()
  }

  /** Close, then delete what this download made (see PartFiles.remove); added files are never removed. */
  async remove (): Promise<void> {
    if (!this.parts.download) throw new StorageError(`${this.root} was not made by a download: it is never removed`)
    await this.close()
    await this.parts.remove(this.root)
  }

  /**
   * Run `fn` with file `index`'s handle, held open (never evicted and closed) until `fn` is
   * done. Not async: one promise less per span on the piece path.
   */
  private withFile<T> (index: number, fn: (handle: FileHandle) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StorageError(`the files of ${this.root} are closed`))
    return this.files.use(index, fn)
  }

  /**
   * Nothing is written through a symbolic link: folders are made one by one and each checked
   * to be a real folder, and files are opened with O_NOFOLLOW (created with O_EXCL the first
   * time a fresh store opens them).
   */
  private async openFile (index: number): Promise<FileHandle> {
    // a path outside the root is refused before any folder is made
    this.filePath(index)
    if (this.mode === 'read') return await this.io(open(await this.parts.locate(index), 'r'), index)
    if (this.manifest.directory) await this.folders.make(this.manifest.files[index].path.split('/').slice(0, -1), index)
    const path = await this.parts.locate(index)
    const exclusive = this.fresh && !this.created.has(index) ? constants.O_EXCL : 0
    // a complete file exists: opened while it is renamed into place, it is looked for again, never made anew
    const create = this.parts.mustExist(index) ? 0 : constants.O_CREAT
    const flags = constants.O_RDWR | constants.O_NOFOLLOW
    const handle = await this.io(open(path, flags | create | exclusive, 0o644).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' && create === 0 && this.parts.current(index) !== path) return await open(this.parts.current(index), flags)
      // O_EXCL meets a planted link as EEXIST: say what it is
      if (err.code === 'EEXIST' && (await lstat(path).catch(() => undefined))?.isSymbolicLink() === true) err.code = 'ELOOP'
      throw err
    }), index)
    this.created.add(index)
    return handle
  }

  /** Turn an fs error into a StorageError that names the file and says what happened. */
  private async io<T> (operation: Promise<T>, fileIndex: number): Promise<T> {
    try {
      return await operation
    } catch (err) {
      throw storageErrorOf(err, this.parts.current(fileIndex))
    }
  }
}
