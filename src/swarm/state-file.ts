import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { StorageError } from '../errors.js'
import type { FileFingerprints } from '../storage/fs-store.js'

/** One swarm as remembered across restarts. */
export interface SwarmRecord {
  contentId: string
  /** Absolute path of the content: the file, or the folder. */
  path: string
  /** 'seed': files added in place; 'download': files written by a get. */
  origin: 'seed' | 'download'
  /** Size and modification time of each file when last known good, to notice changes. */
  files?: FileFingerprints
  /**
   * Added files that changed since and no longer hold every piece: `files` are their sizes and
   * times when last verified, and the have record lists the pieces that still matched.
   */
  partial?: true
}

interface StateFileV1 {
  version: 1
  swarms: SwarmRecord[]
}

/**
 * The node's swarms and their manifests under dataDir. Every write goes to a temporary
 * file first and is renamed over the old one, so a crash leaves the old or the new state.
 */
export class SwarmStateFile {
  private readonly path: string
  private readonly manifestsDir: string
  private writing: Promise<void> = Promise.resolve()

  constructor (dataDir: string) {
    this.path = join(dataDir, 'swarms.json')
    this.manifestsDir = join(dataDir, 'manifests')
  }

  async load (): Promise<SwarmRecord[]> {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw new StorageError(`cannot read ${this.path}: ${(err as Error).message}`)
    }
    try {
      const state = JSON.parse(text) as StateFileV1
      if (state.version !== 1 || !Array.isArray(state.swarms)) throw new Error('unknown format')
      return state.swarms
    } catch (err) {
      throw new StorageError(`${this.path} is damaged (${(err as Error).message}); move it away to start with no swarms`)
    }
  }

  /** Save the full list; writes are serialised so the last call wins. */
  async save (records: SwarmRecord[]): Promise<void> {
    const body = JSON.stringify({ version: 1, swarms: records } satisfies StateFileV1, null, 2)
    this.writing = this.writing.catch(() => {}).then(async () => { await atomicWrite(this.path, body) })
    await this.writing
  }

  async saveManifest (contentId: string, bytes: Uint8Array): Promise<void> {
    await mkdir(this.manifestsDir, { recursive: true })
    await atomicWrite(join(this.manifestsDir, contentId), bytes)
  }

  async loadManifest (contentId: string): Promise<Uint8Array> {
    return await readFile(join(this.manifestsDir, contentId))
  }
}

export async function atomicWrite (path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, data, { mode, flush: true })
  await rename(tmp, path)
}
