import { stat } from 'node:fs/promises'
import { Bitfield } from '../core/bitfield.js'
import { pieceCount } from '../core/manifest.js'
import { FsPieceStore } from '../storage/fs-store.js'
import { verifyStoredPieces } from '../storage/verify.js'
import type { FileFingerprints } from '../storage/fs-store.js'
import type { HaveFile } from './have-file.js'
import type { SwarmRecord } from './state-file.js'
import type { Manifest } from '../core/manifest.js'
import type { Logger } from '@libp2p/interface'

/** See FileFingerprints. */
export type Fingerprints = FileFingerprints

/** How the pieces of a restored swarm were found. */
export type RestoredFrom = 'fingerprints' | 'have-record' | 'rehash'

/**
 * Which pieces of a remembered swarm are on disk, as cheaply as is safe:
 * - its files have the size and modification time recorded when it was complete: all of them
 *   (for added files that had changed, `partial`: the pieces on the have record);
 * - a download with its files at their full sizes and a have record: the recorded pieces,
 *   trusted without reading (the record only claims pieces made durable first). Pieces
 *   written after the last record are treated as missing and fetched again;
 * - otherwise (a seeder whose files changed, a record missing or damaged): every piece is
 *   read and hashed.
 */
export async function restoredPieces (record: SwarmRecord, manifest: Manifest, haveFile: HaveFile, log: Logger, signal: AbortSignal): Promise<{ have: Bitfield, from: RestoredFrom, files: Fingerprints }> {
  const store = new FsPieceStore({ root: record.path, manifest, mode: 'read' })
  try {
    const loadRecord = async (): Promise<Bitfield | undefined> => await haveFile.load(pieceCount(manifest)).catch((err: Error) => {
      log.error('cannot read the have record of %s - %e', record.contentId, err)
      return undefined
    })
    // taken before any hashing: a write during the hash makes them stale, so it is noticed later
    const files = await fingerprints(store, manifest)
    if (record.files !== undefined && sameFingerprints(record.files, files)) {
      if (record.partial !== true) return { have: Bitfield.full(pieceCount(manifest)), from: 'fingerprints', files }
      const recorded = await loadRecord()
      if (recorded !== undefined) return { have: recorded, from: 'have-record', files }
    }
    if (record.origin === 'download' && files.every(([size], i) => size === manifest.files[i].size)) {
      const recorded = await loadRecord()
      if (recorded !== undefined) return { have: recorded, from: 'have-record', files }
    }
    return { have: await verifyStoredPieces(store, manifest, signal), from: 'rehash', files }
  } finally {
    await store.close()
  }
}

/** Each file's size and time; a file that is missing (or cannot be read) gets [-1, -1], which matches no real file. */
export async function fingerprints (store: FsPieceStore, manifest: Manifest): Promise<Fingerprints> {
  const out: Fingerprints = []
  for (let i = 0; i < manifest.files.length; i++) {
    const info = await stat(store.filePath(i)).catch(() => undefined)
    out.push(info === undefined ? [-1, -1] : [info.size, Math.floor(info.mtimeMs)])
  }
  return out
}

export function sameFingerprints (a: Fingerprints, b: Fingerprints): boolean {
  return a.length === b.length && a.every(([size, mtime], i) => b[i][0] === size && b[i][1] === mtime)
}
