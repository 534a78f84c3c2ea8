import { matchesContentId, parseContentId } from '../core/content-id.js'
import { Bitfield } from '../core/bitfield.js'
import { decodeManifest, pieceCount } from '../core/manifest.js'
import { resolveSelection } from '../core/selection.js'
import { DamagedRecordError, StorageError } from '../errors.js'
import { closeSwarm } from './registry.js'
import { restoredPieces } from './resume.js'
import type { SwarmOpener } from './opener.js'
import type { OpenSwarm, SwarmRegistry } from './registry.js'
import type { SwarmRecord, SwarmRecords } from './records.js'
import type { Manifest } from '../core/manifest.js'
import type { FileSelection } from '../core/selection.js'
import type { ContentStorage } from '../storage/piece-store.js'
import type { Logger } from '@libp2p/interface'

export interface SwarmRestorerInit {
  registry: SwarmRegistry
  records: SwarmRecords
  storage: ContentStorage
  opener: SwarmOpener
  log: Logger
  /** The node is stopping: a rehash stops, and nothing opens after it. */
  lifetime: AbortSignal
}

/** Opens remembered swarms from their records: at start, and to take one down and bring it back. */
export class SwarmRestorer {
  constructor (private readonly init: SwarmRestorerInit) {}

  /** Open a remembered swarm with the pieces its files hold (see restoredPieces). */
  async restore (record: SwarmRecord): Promise<OpenSwarm> {
    const { records, storage, opener, log, lifetime } = this.init
    const cid = parseContentId(record.contentId)
    const manifestBytes = await records.loadManifest(record.contentId)
    // a damaged file served as this content's manifest would get the node banned as a forger
    if (!matchesContentId(cid, manifestBytes)) throw new DamagedRecordError(`the stored manifest of ${record.contentId} is damaged (it no longer hashes to its content id); not serving it: add or get the content again`)
    const manifest = decodeManifest(manifestBytes)
    const haveRecord = records.have(record.contentId)
    // a download's incomplete files are under their `.part` names
    const download = record.origin === 'download'
    const reader = storage.open({ root: record.path, manifest, mode: 'read', download })
    const { have, from, files } = await restoredPieces(reader, record, manifest, haveRecord, log, lifetime).finally(async () => { await reader.close() })
    const changed = record.origin === 'seed' && !have.complete
    if (from === 'rehash' && (have.complete || changed)) {
      // remember the files as they were before the hash (and, if some pieces no longer match,
      // which ones still do, before the record says so): the next check rehashes only on
      // another change, and a write during the hash is one
      if (changed) await haveRecord.save(have)
      else await haveRecord.remove()
      record = { contentId: record.contentId, path: record.path, origin: record.origin, files, ...(changed ? { partial: true } : {}) }
    }
    const { selection, partial } = recordedSelection(record, manifest, have)
    const store = storage.open({ root: record.path, manifest, mode: record.origin === 'seed' || have.complete ? 'read' : 'write', download, have, ...(selection === undefined ? {} : { partial: { pieces: partial, selected: selection } }) })
    try {
      if (!have.complete && !changed) await store.prepare()
      if ((have.complete || changed) && record.files !== undefined) opener.guard(store, record.files)
      log('restored %s with %d/%d pieces (from %s)', record.contentId, have.count, pieceCount(manifest), from)
      const changedOnDisk = changed ? new StorageError(changedMessage(record.path, have.count, pieceCount(manifest))) : undefined
      // the node stopped meanwhile: nothing may open after it
      lifetime.throwIfAborted()
      const kept = { ...record, files: have.complete || changed ? record.files : undefined }
      return opener.open({ cid, record: kept, manifest, manifestBytes, store, have, changedOnDisk, selection, partial })
    } catch (err) {
      // no swarm took the store: its handles are ours to close
      await store.close().catch(() => {})
      throw err
    }
  }

  /**
   * Take a swarm down and bring it back from disk: a download that failed (a full disk, say)
   * goes on from its have record at the same path; a seeder whose files changed is rehashed.
   */
  async reopen (entry: OpenSwarm): Promise<OpenSwarm> {
    // listed as 'checking' meanwhile (a rehash of large content takes a while)
    await closeSwarm(entry, 'checking')
    try {
      return await this.restore(entry.record)
    } catch (err) {
      this.init.registry.drop(entry)
      throw err
    }
  }
}

/**
 * The files a download of some files only fetches, and the pieces it kept in part (trusted
 * as the have record is: the list names them only once their bytes were durable).
 */
function recordedSelection (record: SwarmRecord, manifest: Manifest, have: Bitfield): { selection?: FileSelection, partial: Bitfield } {
  const partial = new Bitfield(have.length)
  if (record.only === undefined || have.complete) return { partial }
  const selection = resolveSelection(manifest, record.only)
  for (const piece of record.partialPieces ?? []) {
    if (Number.isSafeInteger(piece) && piece >= 0 && piece < have.length) partial.set(piece)
  }
  return { selection, partial }
}

function changedMessage (path: string, matching: number, count: number): string {
  return `${path} changed since it was added: ${count - matching} of ${count} pieces no longer match; serving the other ${matching} (add it again to seed what it holds now)`
}
