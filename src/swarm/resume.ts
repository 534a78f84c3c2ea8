import { Bitfield } from '../core/bitfield.js'
import { PieceLayout } from '../core/layout.js'
import { pieceCount } from '../core/manifest.js'
import { verifyPieces, verifyStoredPieces } from '../storage/verify.js'
import type { HaveRecord, RecordedPieces, SwarmRecord } from './records.js'
import type { Manifest } from '../core/manifest.js'
import type { FileFingerprints, PieceStore } from '../storage/piece-store.js'
import type { Logger } from '@libp2p/interface'

/** See FileFingerprints. */
export type Fingerprints = FileFingerprints

/** How the pieces of a restored swarm were found. */
export type RestoredFrom = 'fingerprints' | 'have-record' | 'rehash'

/**
 * Which pieces of a remembered swarm are on disk (read through `store`, a read-only store
 * over its files), as cheaply as is safe:
 * - its files have the size and modification time recorded when it was complete: all of them
 *   (for added files that had changed, `partial`: the pieces on the have record);
 * - a download whose files reach every piece on its have record: the recorded pieces,
 *   trusted without reading where the record says their bytes were durable, read and hashed
 *   where it says they were not yet (a quick checkpoint's: a power loss may have lost them).
 *   Pieces written after the last record are treated as missing and fetched again;
 * - otherwise (a seeder whose files changed, a record missing or damaged): every piece is
 *   read and hashed.
 */
export async function restoredPieces (store: PieceStore, record: SwarmRecord, manifest: Manifest, haveRecord: HaveRecord, log: Logger, signal: AbortSignal): Promise<{ have: Bitfield, from: RestoredFrom, files: Fingerprints }> {
  const loadRecord = async (): Promise<Bitfield | undefined> => {
    const recorded = await haveRecord.load(pieceCount(manifest)).catch((err: Error) => {
      log.error('cannot read the have record of %s - %e', record.contentId, err)
      return undefined
    })
    return recorded === undefined ? undefined : await confirmed(store, manifest, recorded, signal)
  }
  // taken before any hashing: a write during the hash makes them stale, so it is noticed later
  const files = await store.fingerprints()
  if (record.files !== undefined && sameFingerprints(record.files, files)) {
    if (record.partial !== true) return { have: Bitfield.full(pieceCount(manifest)), from: 'fingerprints', files }
    const recorded = await loadRecord()
    if (recorded !== undefined) return { have: recorded, from: 'have-record', files }
  }
  // files are made as their pieces land: a download's may be missing or short, never long
  if (record.origin === 'download' && files.every(([size], i) => size <= manifest.files[i].size)) {
    const recorded = await loadRecord()
    if (recorded !== undefined && reachesEveryPiece(recorded, manifest, files)) return { have: recorded, from: 'have-record', files }
  }
  return { have: await verifyStoredPieces(store, manifest, signal), from: 'rehash', files }
}

/**
 * The recorded pieces, those not yet durable when recorded kept only if they still verify;
 * then every file is made durable, so that what is trusted from here on survives a power loss.
 */
async function confirmed (store: PieceStore, manifest: Manifest, recorded: RecordedPieces, signal: AbortSignal): Promise<Bitfield> {
  if (recorded.unsynced.count === 0) return recorded.have
  const trusted = recorded.have.without(recorded.unsynced)
  const verified = await verifyPieces(store, manifest, recorded.unsynced, signal)
  for (let i = 0; i < verified.length; i++) if (verified.has(i)) trusted.set(i)
  await store.syncAll()
  return trusted
}

export function sameFingerprints (a: Fingerprints, b: Fingerprints): boolean {
  return a.length === b.length && a.every(([size, mtime], i) => b[i][0] === size && b[i][1] === mtime)
}

/** Every piece on `have` lies within the files as long as they are now. */
function reachesEveryPiece (have: Bitfield, manifest: Manifest, files: Fingerprints): boolean {
  const layout = new PieceLayout(manifest)
  for (let i = 0; i < layout.pieceCount; i++) {
    if (!have.has(i)) continue
    for (const span of layout.spans(i)) {
      if (files[span.fileIndex][0] < span.fileOffset + span.length) return false
    }
  }
  return true
}
