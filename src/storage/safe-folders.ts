import { lstat, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { PathError } from '../errors.js'

export interface SafeFoldersInit {
  /** The content's root folder (absolute). */
  root: string
  /** A fresh download's root is new: one already there may be someone else's, and is refused. */
  fresh: boolean
  /** Runs an fs operation for file `fileIndex`, turning its error into a named one. */
  io: <T>(operation: Promise<T>, fileIndex: number) => Promise<T>
}

/**
 * The folders a store writes into, made one by one, each checked to be a real folder (not a
 * symbolic link, not a file), and each made or checked once.
 */
export class SafeFolders {
  private readonly root: string
  private readonly fresh: boolean
  private readonly io: SafeFoldersInit['io']
  /** Folders below the root (relative paths) made or checked to be real folders, not links. */
  private readonly folders = new Set<string>()
  private rootReady?: Promise<void>

  constructor (init: SafeFoldersInit) {
    this.root = init.root
    this.fresh = init.fresh
    this.io = init.io
  }

  /** The root folder and `parts` below it, each made if missing and refused if it is a link or a file. */
  async make (parts: string[], fileIndex: number): Promise<void> {
    // made once, whatever number of pieces come in at the same time
    this.rootReady ??= this.makeFolder(this.root, this.fresh, fileIndex)
    await this.rootReady
    let relative = ''
    for (let depth = 1; depth <= parts.length; depth++) {
      relative = depth === 1 ? parts[0] : `${relative}/${parts[depth - 1]}`
      if (this.folders.has(relative)) continue
      await this.makeFolder(join(this.root, ...parts.slice(0, depth)), false, fileIndex)
      this.folders.add(relative)
    }
  }

  /** `exclusive`: a fresh download's own folder is new, and one already there may be someone else's. */
  private async makeFolder (folder: string, exclusive: boolean, fileIndex: number): Promise<void> {
    await mkdir(folder).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code === 'EEXIST' && exclusive) throw new PathError(`${folder} appeared while the download was starting: it is not written into`)
      if (err.code !== 'EEXIST') await this.io(Promise.reject(err), fileIndex)
    })
    const info = await this.io(lstat(folder), fileIndex)
    if (!info.isDirectory()) throw new PathError(`${folder} is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}: nothing is written through it`)
  }
}
