import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { StorageError } from '../errors.js'
import { atomicWrite } from '../utils/atomic-write.js'
import { HaveFile } from './have-file.js'
import type { Bitfield } from '../core/bitfield.js'
import type { FileFingerprints } from '../storage/piece-store.js'

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

/** Which pieces of one swarm are verified *and durable* (the caller makes the data durable first). */
export interface HaveRecord {
  /** The recorded pieces; undefined when there is no record, or it is damaged or for another piece count. */
  load(pieceCount: number): Promise<Bitfield | undefined>
  /** Replace the record whole: after a crash it is the old record or the new one. */
  save(have: Bitfield): Promise<void>
  remove(): Promise<void>
}

/** What the node remembers of its swarms across restarts: the list, each manifest, each have record. */
export interface SwarmRecords {
  /** The swarm list of the last run; empty when there is none. */
  loadList(): Promise<SwarmRecord[]>
  /** Save the full list; saves are serialised so the last call wins. */
  saveList(records: SwarmRecord[]): Promise<void>
  saveManifest(contentId: string, bytes: Uint8Array): Promise<void>
  loadManifest(contentId: string): Promise<Uint8Array>
  have(contentId: string): HaveRecord
}

interface StateFileV1 {
  version: 1
  swarms: SwarmRecord[]
}

/**
 * The records under dataDir: `swarms.json`, `manifests/<cid>` and `swarms/<cid>.have`. Every
 * write replaces its file whole (see atomicWrite and HaveFile); files are 0600 and folders 0700,
 * as the list names the path of everything shared and the manifests every file name.
 */
export class FileSwarmRecords implements SwarmRecords {
  private readonly listPath: string
  private readonly manifestsDir: string
  private writing: Promise<void> = Promise.resolve()

  constructor (private readonly dataDir: string) {
    this.listPath = join(dataDir, 'swarms.json')
    this.manifestsDir = join(dataDir, 'manifests')
  }

  async loadList (): Promise<SwarmRecord[]> {
    let text: string
    try {
      text = await readFile(this.listPath, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw new StorageError(`cannot read ${this.listPath}: ${(err as Error).message}`)
    }
    try {
      const state = JSON.parse(text) as StateFileV1
      if (state.version !== 1 || !Array.isArray(state.swarms)) throw new Error('unknown format')
      return state.swarms
    } catch (err) {
      throw new StorageError(`${this.listPath} is damaged (${(err as Error).message}); move it away to start with no swarms`)
    }
  }

  async saveList (records: SwarmRecord[]): Promise<void> {
    const body = JSON.stringify({ version: 1, swarms: records } satisfies StateFileV1, null, 2)
    this.writing = this.writing.catch(() => {}).then(async () => { await atomicWrite(this.listPath, body) })
    await this.writing
  }

  async saveManifest (contentId: string, bytes: Uint8Array): Promise<void> {
    await mkdir(this.manifestsDir, { recursive: true, mode: 0o700 })
    await atomicWrite(join(this.manifestsDir, contentId), bytes)
  }

  async loadManifest (contentId: string): Promise<Uint8Array> {
    return await readFile(join(this.manifestsDir, contentId))
  }

  have (contentId: string): HaveRecord {
    return new HaveFile(this.dataDir, contentId)
  }
}
