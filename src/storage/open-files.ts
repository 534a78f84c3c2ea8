import type { FileHandle } from 'node:fs/promises'

export interface OpenFilesInit {
  /** Open file handles kept at once. */
  maxOpenFiles: number
  /** Open file `index`; never called twice at once for one file. */
  open: (index: number) => Promise<FileHandle>
  /** fdatasync a written file's handle (a failure names the file). */
  sync: (handle: FileHandle, index: number) => Promise<void>
}

/** One file's handle and who is using it. */
interface Entry {
  index: number
  handle: Promise<FileHandle>
  /** Callers inside use() with this handle: it is never closed under them. */
  users: number
  /** Out of the map (evicted or closeAll): closed once its last user is done. */
  retired: boolean
  /** Set when the close has begun. */
  closed?: Promise<void>
}

/**
 * A store's open files by file index: at most `maxOpenFiles` handles kept, the least recently
 * used closed first (synced first if written since its last sync), one handle per file; and
 * which files were written since their last sync. A handle is only used inside use(), and one
 * in use is never closed: evicted while in use, it leaves the map at once (so the cap holds for
 * new opens) and is closed when its last user is done.
 */
export class OpenFiles {
  private readonly maxOpenFiles: number
  private readonly open: OpenFilesInit['open']
  private readonly sync: OpenFilesInit['sync']
  /** Insertion order doubles as least-recently-used order. */
  private readonly handles = new Map<number, Entry>()
  /** Entries out of the map whose close has not finished. */
  private readonly retiring = new Set<Entry>()
  /** The last open of each file, finished or not. */
  private readonly opening = new Map<number, Promise<FileHandle>>()
  private readonly dirty = new Set<number>()

  constructor (init: OpenFilesInit) {
    this.maxOpenFiles = init.maxOpenFiles
    this.open = init.open
    this.sync = init.sync
  }

  /** Run `fn` with file `index`'s handle (opened if need be), which stays open until `fn` is done. */
  async use<T> (index: number, fn: (handle: FileHandle) => Promise<T>): Promise<T> {
    // taken synchronously, before any await: nothing can evict it between its choice and its use
    const entry = this.acquire(index)
    try {
      return await fn(await entry.handle)
    } finally {
      this.release(entry)
    }
  }

  /** File `index` was written: the next syncWritten (or its eviction) syncs it. */
  written (index: number): void {
    this.dirty.add(index)
  }

  /**
   * Sync every file written since the last sync, and wait for the evicted ones being synced.
   * The set is taken first: a write that lands while this runs marks its file again, for the
   * next call; on a failure, the files not yet synced stay marked.
   */
  async syncWritten (): Promise<void> {
    const files = [...this.dirty]
    this.dirty.clear()
    // held from now: none of these closes (and drops its mark unsynced) while the others sync
    const entries = files.map(index => this.holdOpen(index))
    const closing = [...this.retiring].map(entry => entry.closed).filter(closed => closed !== undefined)
    try {
      for (let i = 0; i < files.length; i++) {
        const entry = entries[i]
        try {
          const handle = await entry?.handle.catch(() => undefined)
          if (handle !== undefined) await this.sync(handle, files[i])
        } catch (err) {
          for (const index of files.slice(i)) this.dirty.add(index)
          throw err
        }
      }
      await Promise.all(closing)
    } finally {
      for (const entry of entries) if (entry !== undefined) this.release(entry)
    }
  }

  /** Close every handle, each once its users are done. */
  async closeAll (): Promise<void> {
    for (const entry of [...this.handles.values()]) this.retire(entry)
    await Promise.all([...this.retiring].map(async entry => { await this.closedOf(entry) }))
  }

  /** Number of handles kept (open or opening; not counting evicted ones still in use). */
  get size (): number {
    return this.handles.size
  }

  private acquire (index: number): Entry {
    const cached = this.handles.get(index)
    if (cached !== undefined) {
      this.handles.delete(index)
      this.handles.set(index, cached)
      cached.users++
      return cached
    }
    // an evicted handle no one uses is closed before the new open: no more than the cap at once
    const evicted = this.handles.size >= this.maxOpenFiles && this.handles.size > 0 ? this.evictOldest() : undefined
    const freed = evicted !== undefined && evicted.users === 0 ? this.closedOf(evicted) : undefined
    const handle = freed === undefined ? this.openOnce(index) : freed.then(async () => await this.openOnce(index))
    const entry: Entry = { index, handle, users: 1, retired: false }
    this.handles.set(index, entry)
    handle.catch(() => { if (this.handles.get(index) === entry) this.handles.delete(index) })
    return entry
  }

  /** File `index`'s entry if one is open and not closing, held for the caller (release it). */
  private holdOpen (index: number): Entry | undefined {
    let entry = this.handles.get(index)
    if (entry === undefined) {
      for (const candidate of this.retiring) if (candidate.index === index && candidate.closed === undefined) entry = candidate
    }
    if (entry !== undefined) entry.users++
    return entry
  }

  private release (entry: Entry): void {
    entry.users--
    if (entry.retired && entry.users === 0) void this.closedOf(entry)
  }

  /** The least recently used entry no one uses (the oldest if all are in use) leaves the map. */
  private evictOldest (): Entry {
    let chosen: Entry | undefined
    for (const entry of this.handles.values()) {
      if (entry.users === 0) { chosen = entry; break }
      chosen ??= entry
    }
    const evicted = chosen as Entry
    this.retire(evicted)
    return evicted
  }

  private retire (entry: Entry): void {
    if (this.handles.get(entry.index) === entry) this.handles.delete(entry.index)
    entry.retired = true
    this.retiring.add(entry)
    if (entry.users === 0) void this.closedOf(entry)
  }

  /** Close a retired entry no one uses (once): synced first if written since its last sync. */
  private async closedOf (entry: Entry): Promise<void> {
    entry.closed ??= (async () => {
      // taken now, synchronously: a mark set after this is a later write's, for a later sync
      const wasDirty = this.dirty.delete(entry.index)
      const handle = await entry.handle.catch(() => undefined)
      if (handle !== undefined) {
        if (wasDirty) await handle.datasync().catch(() => {})
        await handle.close().catch(() => {})
      }
      this.retiring.delete(entry)
    })()
    await entry.closed
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
}
