import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { OUTPUTS } from '../config/defaults.js'
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
  /** A download of some files only (`get --only`): their paths. Absent: every file. */
  only?: string[]
  /**
   * Pieces verified of which only the selected files' bytes are on disk (shared with a file
   * not selected), as of the last save of the list; those written since are fetched again.
   */
  partialPieces?: number[]
}

/** Which pieces of one swarm are verified *and durable* (the caller makes the data durable first). */
/** A have record's pieces: `unsynced` (a subset of `have`) must be verified again before they are trusted. */
export interface RecordedPieces {
  have: Bitfield
  unsynced: Bitfield
}

export interface HaveRecord {
  /** The recorded pieces; undefined when there is no record, or it is damaged or for another piece count. */
  load(pieceCount: number): Promise<RecordedPieces | undefined>
  /**
   * Replace the record whole: after a crash it is the old record or the new one. With pieces
   * `unsynced` (their bytes written but not yet durable) the save is quick: it survives the
   * process being killed, not a power loss; without, it is durable.
   */
  save(have: Bitfield, unsynced?: Bitfield): Promise<void>
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
  /** Remember that a download of `contentId` made `paths` (what `--force` may replace later). */
  noteOutputs(paths: readonly string[], contentId: string): Promise<void>
  /** The content id whose download made `path`, if one did (as far as the last OUTPUTS.remembered are known). */
  outputOf(path: string): Promise<string | undefined>
}

interface StateFileV1 {
  version: 1
  swarms: SwarmRecord[]
}

/**
 * The records under dataDir: `swarms.json`, `manifests/<cid>`, `swarms/<cid>.have` and
 * `outputs.json` (the paths downloads made). Every write replaces its file whole (see
 * atomicWrite and HaveFile); files are 0600 and folders 0700, as the list names the path of
 * everything shared and the manifests every file name.
 */
export class FileSwarmRecords implements SwarmRecords {
  private readonly listPath: string
  private readonly manifestsDir: string
  private writing: Promise<void> = Promise.resolve()
  private writingOutputs: Promise<void> = Promise.resolve()
  /** outputs.json as last read or written: the data folder is this node's alone (see DataDirLock). */
  private outputs: Map<string, string> | undefined

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

  async noteOutputs (paths: readonly string[], contentId: string): Promise<void> {
    // read, change and write as one step in the chain: two gets at once both stay noted
    this.writingOutputs = this.writingOutputs.catch(() => {}).then(async () => {
      const outputs = new Map(await this.readOutputs())
      for (const path of paths) {
        outputs.delete(path)
        outputs.set(path, contentId)
      }
      // the oldest are forgotten: their paths then need moving away by hand
      for (const oldest of outputs.keys()) {
        if (outputs.size <= OUTPUTS.remembered) break
        outputs.delete(oldest)
      }
      await atomicWrite(join(this.dataDir, 'outputs.json'), JSON.stringify({ version: 1, outputs: [...outputs] }), 0o600)
      this.outputs = outputs
    })
    await this.writingOutputs
  }

  async outputOf (path: string): Promise<string | undefined> {
    await this.writingOutputs.catch(() => {})
    return (await this.readOutputs()).get(path)
  }

  /** dataDir/outputs.json: [path, content id] pairs, oldest first; a damaged file remembers nothing. */
  private async readOutputs (): Promise<ReadonlyMap<string, string>> {
    this.outputs ??= await this.loadOutputs()
    return this.outputs
  }

  private async loadOutputs (): Promise<Map<string, string>> {
    try {
      const state = JSON.parse(await readFile(join(this.dataDir, 'outputs.json'), 'utf8')) as { version: number, outputs: Array<[string, string]> }
      if (state.version !== 1 || !Array.isArray(state.outputs)) return new Map()
      return new Map(state.outputs.filter(e => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string'))
    } catch {
      return new Map()
    }
  }
}
