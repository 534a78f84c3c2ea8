import { join } from 'node:path'
import { StorageError } from '../errors.js'
import { StreamPriorities } from './stream-priorities.js'
import { readVerified } from './verified-reader.js'
import type { OutputTarget } from './output.js'
import type { OpenSwarm, SwarmRegistry } from './registry.js'
import type { Swarm } from './swarm.js'
import type { GetOptions } from './types.js'
import type { Manifest } from '../core/manifest.js'
import type { Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

/** Content opened for reading while it may still be downloading. */
export interface StreamedContent {
  readonly contentId: string
  readonly manifest: Manifest
  /** Bytes [start, end) over all the content's files, verified, in order, as they arrive. */
  read(start: number, end: number, signal: AbortSignal): AsyncGenerator<Uint8Array>
  /**
   * Whether bytes [start, end) can be read here: a `get --only` leaves the other files
   * unwritten, so their bytes would never arrive (`shoal select` adds them), and a piece a
   * selected file shares with one left out is on disk only in part, so it cannot be read back
   * and hashed whole as every byte sent must be.
   */
  fetches(start: number, end: number): boolean
}

export interface ContentStreamsInit {
  registry: SwarmRegistry
  /** Starts (or joins) a get; resolves once it is complete. */
  get(cid: CID, target: OutputTarget, options: GetOptions): Promise<string>
  /** Where content asked for and not held here is downloaded: `<folder>/<content id>`. */
  folder: string
  readAheadPieces: number
  pieceWaitMs: number
  log: Logger
  /** The node is stopping: downloads started here end. */
  lifetime: AbortSignal
}

/**
 * Reading content as it downloads (the gateway, `shoal cat`): content not held here is
 * fetched into the node's own folder, and each open reader's pieces are asked for first.
 */
export class ContentStreams {
  private readonly priorities = new WeakMap<Swarm, StreamPriorities>()
  /** Downloads started here whose swarm is not open yet: a second reader joins the first. */
  private readonly starting = new Map<string, Promise<OpenSwarm>>()

  constructor (private readonly init: ContentStreamsInit) {}

  /** The content of `cid`; if it is not held or downloading here, its download starts first (rejects if it cannot be found). */
  async open (cid: CID, signal: AbortSignal): Promise<StreamedContent> {
    const entry = this.init.registry.get(cid.toString()) ?? await this.download(cid, signal)
    const { swarm } = entry
    if (swarm.state === 'checking' || swarm.state === 'stopped' || swarm.state === 'error') {
      throw new StorageError(`the content ${swarm.contentId} cannot be read now: it is ${swarm.state}`)
    }
    return {
      contentId: swarm.contentId,
      manifest: swarm.manifest,
      read: (start, end, readSignal) => readVerified({ swarm, events: this.init.registry.events, cursor: this.prioritiesOf(swarm).cursor(), pieceWaitMs: this.init.pieceWaitMs }, start, end, readSignal),
      fetches: (start, end) => !touchesUnselected(swarm, start, end)
    }
  }

  private prioritiesOf (swarm: Swarm): StreamPriorities {
    let priorities = this.priorities.get(swarm)
    if (priorities === undefined) {
      priorities = new StreamPriorities((levels) => { swarm.prioritize(levels) }, this.init.readAheadPieces)
      this.priorities.set(swarm, priorities)
    }
    return priorities
  }

  /** Start the get (it goes on after this reader leaves) and resolve once its swarm is open. */
  private async download (cid: CID, signal: AbortSignal): Promise<OpenSwarm> {
    const contentId = cid.toString()
    let opening = this.starting.get(contentId)
    if (opening === undefined) {
      opening = this.startGet(cid).finally(() => { this.starting.delete(contentId) })
      this.starting.set(contentId, opening)
    }
    return await raceAbort(opening, signal)
  }

  private async startGet (cid: CID): Promise<OpenSwarm> {
    const { registry, log } = this.init
    const contentId = cid.toString()
    return await new Promise<OpenSwarm>((resolve, reject) => {
      const opened = (): boolean => {
        const entry = registry.get(contentId)
        if (entry !== undefined) resolve(entry)
        return entry !== undefined
      }
      const target = { path: join(this.init.folder, contentId) }
      log('streaming %s: downloading it to %s', contentId, target.path)
      this.init.get(cid, target, {
        signal: this.init.lifetime,
        // the first progress report comes once the swarm is open
        onProgress: (event) => { if (event.type === 'shoal:get:progress' || event.type === 'shoal:get:complete') opened() }
      }).then(() => { if (!opened()) reject(new StorageError(`the content ${contentId} closed as it opened`)) }, (err: Error) => {
        log('streaming %s: its download failed - %e', contentId, err)
        reject(err)
      })
    })
  }
}

/**
 * Whether a piece of [start, end) will never be here whole: one the selection leaves out, or
 * one verified but stored only in part (shared with a file left out). Pieces held whole pass.
 */
function touchesUnselected (swarm: Swarm, start: number, end: number): boolean {
  const selection = swarm.selection
  if (selection === undefined || end <= start) return false
  const { pieceSize } = swarm.layout
  for (let piece = Math.floor(start / pieceSize); piece <= Math.floor((end - 1) / pieceSize); piece++) {
    if (swarm.hasPiece(piece)) continue
    if (swarm.partialPieces.has(piece)) return true
    if (swarm.layout.spans(piece).some(span => selection[span.fileIndex] !== true)) return true
  }
  return false
}

async function raceAbort<T> (promise: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted()
  let onAbort = (): void => {}
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => { reject(signal.reason) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([promise, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort)
  }
}
