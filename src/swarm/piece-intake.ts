import { verifyPieceWith } from '../core/piece-hash.js'
import { isBoundaryPiece } from '../core/selection.js'
import { ProtocolViolationError } from '../errors.js'
import { RateMeter } from '../utils/rate-meter.js'
import type { PieceFailure } from './events.js'
import type { PeerSession } from './peer-session.js'
import type { SelectedFiles } from './selected-files.js'
import type { Bitfield } from '../core/bitfield.js'
import type { PieceLayout } from '../core/layout.js'
import type { Manifest } from '../core/manifest.js'
import type { PieceHashing } from '../core/piece-hash.js'
import type { PiecePicker } from '../core/piece-picker.js'
import type { FileSelection } from '../core/selection.js'
import type { PieceStore } from '../storage/piece-store.js'
import type { BufferPool } from '../utils/buffer-pool.js'
import type { Logger } from '@libp2p/interface'

/** What the intake asks of a peer session. */
export type IntakePeer = Pick<PeerSession, 'peerId' | 'closed' | 'isRequested' | 'abandon' | 'announce' | 'recordBadPiece' | 'close'>

/** What a piece taken in changes in the rest of the swarm. */
export interface IntakeWork<P extends IntakePeer> {
  /** Another copy on its way was cancelled, or a piece failed: it may be asked for again. */
  release(index: number): void
  fill(peer: P): void
  fillAll(): void
  /** A piece was added: a peer may now want an upload slot. */
  pieceAdded(): void
  /** Every selected piece is here. */
  done(): void
  /** A write failed: the swarm fails with `err`. */
  failed(err: Error): void
}

/** What the swarm's observer hears of pieces taken in. */
export interface IntakeEvents {
  received(peerId: string, index: number, roundTripMs: number): void
  pieceFailed(peerId: string, index: number, reason: PieceFailure): void
  misbehaved(peerId: string, reason: string, fatal: boolean): void
  verified(index: number): void
  progress(): void
}

export interface PieceIntakeInit<P extends IntakePeer> {
  manifest: Manifest
  layout: PieceLayout
  have: Bitfield
  picker: Pick<PiecePicker, 'markSettled' | 'markReleased' | 'unsettle' | 'markHave'>
  selected: SelectedFiles
  store: Pick<PieceStore, 'writePiece'>
  peers: ReadonlyMap<string, P>
  buffers: Pick<BufferPool, 'give'>
  /** Where received pieces are hashed. */
  hashing: PieceHashing
  /** Bytes received and not yet written from which the swarm asks for no more (see backlogged). */
  maxUnwrittenBytes: number
  maxBadPieces: number
  /** Pieces are taken in only while the swarm downloads. */
  downloading: () => boolean
  work: IntakeWork<P>
  events: IntakeEvents
  log: Logger
}

/**
 * Pieces received, to pieces had: drops endgame duplicates, verifies each against the
 * manifest before it is written, writes it before it is announced, and blames the sender of
 * a bad one. Counts the bytes kept and the bytes thrown away.
 */
export class PieceIntake<P extends IntakePeer = PeerSession> {
  downloaded = 0
  /** Bytes received that were thrown away: bad pieces and endgame duplicates. */
  wasted = 0
  /** Piece bytes received lately, for status. */
  readonly meter = new RateMeter()
  /** Pieces being verified and written. */
  private readonly writing = new Set<number>()
  /** Their bytes, held in memory until written. */
  private unwritten = 0

  constructor (private readonly init: PieceIntakeInit<P>) {}

  /**
   * Pieces wait for the disk: as many bytes received and not yet written as maxUnwrittenBytes
   * (two pieces at least). Nothing more is asked for until writes catch up.
   */
  get backlogged (): boolean {
    return this.unwritten >= Math.max(this.init.maxUnwrittenBytes, 2 * this.init.layout.pieceSize)
  }

  /** All bytes of a requested piece arrived from `peer` (see SessionHost.onPieceReceived). */
  received (peer: P, index: number, piece: Uint8Array, requestedAt: number): void {
    const { have, picker, work } = this.init
    const length = piece.byteLength
    this.meter.add(length)
    this.init.events.received(peer.peerId, index, Date.now() - requestedAt)
    if (have.has(index) || this.writing.has(index)) {
      this.wasted += length
      this.init.buffers.give(piece)
      work.fill(peer)
      return
    }
    // settled while it is verified and written: nobody is asked for it meanwhile
    this.writing.add(index)
    picker.markSettled(index)
    picker.markReleased(index)
    // endgame: the other copies on their way are cancelled
    for (const other of this.init.peers.values()) {
      if (other !== peer && other.isRequested(index)) {
        other.abandon(index)
        work.release(index)
      }
    }
    this.unwritten += length
    void this.verifyAndStore(peer, index, piece)
      .then((buffer) => { if (buffer !== undefined) this.init.buffers.give(buffer) })
      .catch((err: Error) => { this.init.log.error('piece %d - %e', index, err) })
      .finally(() => {
        const wasBacklogged = this.backlogged
        this.unwritten -= length
        if (wasBacklogged && !this.backlogged) work.fillAll()
      })
    work.fill(peer)
  }

  /**
   * Check a received piece's hash against the manifest; write it only if it matches. Returns
   * its buffer to give back (hashing may move it), undefined if it was lost.
   */
  private async verifyAndStore (peer: P, index: number, received: Uint8Array): Promise<Uint8Array | undefined> {
    const { picker, selected } = this.init
    const checked = await verifyPieceWith(this.init.hashing, this.init.manifest, index, received).catch((err: Error) => {
      // the hashing thread failed with the piece (or stopped with the node): not the sender's
      // fault, it is asked for again
      if (this.init.downloading()) this.init.log.error('piece %d was lost to hashing - %e', index, err)
      return undefined
    })
    if (checked === undefined) {
      this.writing.delete(index)
      picker.unsettle(index)
      this.init.work.fillAll()
      return undefined
    }
    const { good, piece } = checked
    // the swarm stopped while the piece was hashed: its store may be closed
    if (!this.init.downloading()) {
      this.writing.delete(index)
      return piece
    }
    if (!good) {
      this.writing.delete(index)
      picker.unsettle(index)
      this.onBadPiece(peer, index, piece.byteLength)
      return piece
    }
    // the selection as the write began: a file selected meanwhile was not written
    const files = selected.selection
    try {
      await this.init.store.writePiece(index, [piece], files)
    } catch (err) {
      this.writing.delete(index)
      picker.unsettle(index)
      this.init.events.pieceFailed(peer.peerId, index, 'write')
      this.init.work.failed(err as Error)
      return piece
    }
    this.onPieceStored(index, piece.byteLength, files)
    return piece
  }

  private onPieceStored (index: number, length: number, files?: FileSelection): void {
    const { have, selected, events, work } = this.init
    this.writing.delete(index)
    if (!this.init.downloading()) return
    if (files !== undefined && isBoundaryPiece(this.init.layout, files, index)) {
      this.onPartStored(index, length, files)
      return
    }
    selected.pieceHad(index)
    this.init.picker.markHave(index)
    this.downloaded += length
    // seeds too: the seed that added the content sends a piece again only where none of its
    // other peers has it, and learns who has what from these
    for (const peer of this.init.peers.values()) peer.announce(index)
    events.verified(index)
    events.progress()
    if (selected.done(have)) work.done()
    else work.pieceAdded()
  }

  /** A piece shared with a file not selected: written for the selected files only, never announced. */
  private onPartStored (index: number, length: number, files: FileSelection): void {
    const { have, selected } = this.init
    this.downloaded += length
    if (!selected.storedPart(index, files)) this.init.picker.unsettle(index)
    this.init.events.progress()
    if (selected.done(have)) this.init.work.done()
  }

  private onBadPiece (peer: P, index: number, length: number): void {
    const { events } = this.init
    this.wasted += length
    const bad = peer.recordBadPiece()
    events.pieceFailed(peer.peerId, index, 'hash')
    const fatal = bad >= this.init.maxBadPieces
    this.init.log.error('piece %d from %s failed verification (%d bad so far)', index, peer.peerId, bad)
    events.misbehaved(peer.peerId, `sent ${bad} piece(s) that failed verification`, fatal)
    if (fatal && !peer.closed) peer.close(new ProtocolViolationError('too many bad pieces'))
    else this.init.work.fillAll()
  }
}
