import type { FileHandle } from 'node:fs/promises'

export interface OpenFilesInit {
  /** Open file handles kept at once. */
  maxOpenFiles: number
  /** Open file `index`; never called twice at once for one file. */
  open: (index: number) => Promise<FileHandle>
  /** fdatasync a written file's handle (a failure names the file). */
  sync: (handle: FileHandle, index: number) => Promise<void>
}

/**
 * A store's open files by file index: at most `maxOpenFiles` handles, the least recently used
 * closed first (synced first if written since its last sync), one handle per file; and which
 * files were written since their last sync.
 */
export class OpenFiles {
  private readonly maxOpenFiles: number
  private readonly open: OpenFilesInit['open']
  private readonly sync: OpenFilesInit['sync']
  /** Insertion order doubles as least-recently-used order. */
  private readonly handles = new Map<number, Promise<FileHandle>>()
  /** The last open of each file, finished or not. */
  private readonly opening = new Map<number, Promise<FileHandle>>()
  private readonly dirty = new Set<number>()

  constructor (init: OpenFilesInit) {
    this.maxOpenFiles = init.maxOpenFiles
    this.open = init.open
    this.sync = init.sync
  }

  async handle (index: number): Promise<FileHandle> {
    const cached = this.handles.get(index)
    if (cached !== undefined) {
      this.handles.delete(index)
      this.handles.set(index, cached)
      return await cached
    }
    if (this.handles.size >= this.maxOpenFiles) {
      await this.evictOldest()
      // another read or write of this file may have opened it while we waited: one handle per file
      const opened = this.handles.get(index)
      if (opened !== undefined) return await opened
    }
    const opening = this.openOnce(index)
    this.handles.set(index, opening)
    opening.catch(() => { if (this.handles.get(index) === opening) this.handles.delete(index) })
    return await opening
  }

  /** File `index` was written: the next syncWritten (or its eviction) syncs it. */
  written (index: number): void {
    this.dirty.add(index)
  }

  /**
   * Sync every file written since the last sync. The set is taken first: a write that lands
   * while this runs marks its file again, for the next call; on a failure, the files not yet
   * synced stay marked.
   */
  async syncWritten (): Promise<void> {
    const files = [...this.dirty]
    this.dirty.clear()
    for (let i = 0; i < files.length; i++) {
      try {
        const handle = await this.handles.get(files[i])
        if (handle !== undefined) await this.sync(handle, files[i])
      } catch (err) {
        for (const index of files.slice(i)) this.dirty.add(index)
        throw err
      }
    }
  }

  async closeAll (): Promise<void> {
    const handles = [...this.handles.values()]
    this.handles.clear()
    await Promise.all(handles.map(async h => { await (await h).close() }))
  }

  /** Number of handles held (open or opening). */
  get size (): number {
    return this.handles.size
  }

  private async openOnce (index: number): Promise<FileHandle> {
    // one open of a file at a time: a handle evicted while it was opening is opened again only
    // once that open is done, so a fresh file is created exclusively once, not refused as "appeared"
    const previous = this.opening.get(index)
    const attempt = previous === undefined ? this.open(index) : previous.catch(() => {}).then(async () => await this.open(index))
    this.opening.set(index, attempt)
    const forget = (): void => { if (this.opening.get(index) === attempt) this.opening.delete(index) }
    attempt.then(forget, forget)
    return await attempt
  }

  private async evictOldest (): Promise<void> {
    const [index, oldest] = this.handles.entries().next().value as [number, Promise<FileHandle>]
    this.handles.delete(index)
    const handle = await oldest.catch(() => undefined)
    if (handle === undefined) return
    if (this.dirty.delete(index)) await handle.datasync().catch(() => {})
    await handle.close().catch(() => {})
  }
}
