import type { ImportOptions, ImportedContent } from './import-content.js'
import type { Bitfield } from '../core/bitfield.js'
import type { Manifest } from '../core/manifest.js'
import type { FileSelection } from '../core/selection.js'

/** Each file's size and modification time (whole ms): what tells a changed file. */
export type FileFingerprints = Array<[size: number, mtimeMs: number]>

/**
 * Where a swarm's verified pieces live. The swarm only writes pieces that passed their hash
 * and only reads pieces its bitfield says it has; the store does positional I/O and nothing else.
 */
export interface PieceStore {
  /**
   * Get ready to write: nothing is created before the first piece arrives (files are made as
   * their pieces are written); a resumed download's files are cut back to the manifest's sizes.
   */
  prepare(): Promise<void>
  /** Every piece is written: create what no piece made (empty files); with `files`, only the selected ones. */
  complete(files?: FileSelection): Promise<void>
  /** The bytes of piece `index`, exactly its length. */
  readPiece(index: number): Promise<Uint8Array>
  /**
   * Write piece `index`, given as consecutive chunks that together are the whole piece. With
   * `files`, only the bytes of the selected files are written (a piece shared with a file not
   * selected): no other file is created or touched.
   */
  writePiece(index: number, chunks: readonly Uint8Array[], files?: FileSelection): Promise<void>
  /** Flush to disk what was written (before a record says the pieces are there). */
  flush(): Promise<void>
  /**
   * Make every file of the content that exists durable, not only what this store wrote: after
   * the process was killed, bytes an earlier run wrote may still be only in the page cache.
   */
  syncAll(): Promise<void>
  /** Each file's size and time now; a file that is missing (or cannot be read) gets [-1, -1], which matches no real file. */
  fingerprints(): Promise<FileFingerprints>
  /**
   * From now on a read from a file whose fingerprint is no longer `verifiedAs` (what it was
   * when its pieces were verified) fails with ContentChangedError and calls `onChanged`.
   */
  serveWhileUnchanged(verifiedAs: FileFingerprints, onChanged: () => void): void
  close(): Promise<void>
  /**
   * Close, then delete what a download made: each file under its present name (an incomplete
   * one only as its `.part`) and the content's folders where empty. Never anything else there;
   * a store over added files refuses (StorageError).
   */
  remove(): Promise<void>
}

export interface StoreInit {
  /** The content's own path: the file itself, or the folder that holds the files. */
  root: string
  manifest: Manifest
  /** 'read' serves files in place and never writes; 'write' creates and fills them. */
  mode: 'read' | 'write'
  /** A new download: nothing of it exists yet, and each file is created exclusively (never one already there). */
  fresh?: boolean
  /**
   * Files written by a get: each is `<name>.part` until every piece in it is verified, then
   * renamed into place (never over something that appeared there meanwhile).
   */
  download?: boolean
  /** Pieces already verified in the files (a download that goes on): the files they complete are in place. */
  have?: Bitfield
  /** Pieces of which only the selected files' bytes were written (`selected`): counted for those files only. */
  partial?: { pieces: Bitfield, selected: FileSelection }
}

/**
 * Everything the swarm layer may do with files, given to it by the node: open a store over
 * content, claim the path a download goes to, and hash content for `add`.
 */
export interface ContentStorage {
  open(init: StoreInit): PieceStore
  /**
   * The path (and its `.part` name) must be free, or `replace` clears it (a link is removed,
   * never followed); otherwise a PathError says `taken` of what is there. Its parent folder is created.
   */
  claimPath(path: string, claim: { replace: boolean, taken: (path: string) => string }): Promise<void>
  /**
   * Whether `path` holds a download of `manifest` that is not whole (a file is missing under
   * its own name: still `.part`, or not begun), which a get of the same content may go on with.
   */
  isPartialOutput(path: string, manifest: Manifest): Promise<boolean>
  /** Hash a file or folder into a manifest, reading it in place. */
  importContent(path: string, options?: ImportOptions): Promise<ImportedContent>
}
