import { createHash } from 'node:crypto'
import { Bitfield } from '../core/bitfield.js'
import { ProtocolViolationError } from '../errors.js'
import type { PieceWire, PieceWireHandler, RejectReason } from '../core/wire.js'
import type { Hash } from 'node:crypto'

/** A piece being received from this peer. */
interface Incoming {
  readonly requestedAt: number
  readonly length: number
  readonly hash: Hash
  readonly chunks: Uint8Array[]
  received: number
}

/** What a peer session needs from its swarm: the swarm owns all cross-peer state. */
export interface SessionHost {
  pieceLength(index: number): number
  hasPiece(index: number): boolean
  readonly maxQueuedRequests: number
  onPeerHave(session: PeerSession, index: number): void
  onPieceReceived(session: PeerSession, index: number, chunks: Uint8Array[], digest: Buffer): void
  onRequestEnded(session: PeerSession, index: number): void
  onUploadWanted(session: PeerSession): void
  onPeerClosed(session: PeerSession, err?: Error): void
}

/**
 * One peer in one swarm: its bitfield, what we asked it for, what it asked us for. Turns wire
 * events into calls on the swarm; does no picking and no storage itself.
 */
export class PeerSession implements PieceWireHandler {
  readonly peerId: string
  readonly wire: PieceWire
  readonly remoteHas: Bitfield
  readonly connectedAt = Date.now()
  /** Requests we sent this peer, by piece index. */
  readonly incoming = new Map<number, Incoming>()
  /** Pieces we stopped waiting for; their late frames are dropped, not held against the peer. */
  private readonly abandoned = new Set<number>()
  /** Piece indexes this peer asked us for, in order. */
  readonly uploadQueue: number[] = []
  inflightBytes = 0
  badPieces = 0
  uploading = false
  closed = false

  constructor (private readonly host: SessionHost, wire: PieceWire, remoteHas: Bitfield) {
    this.peerId = wire.remotePeer
    this.wire = wire
    this.remoteHas = remoteHas
  }

  get isSeed (): boolean {
    return this.remoteHas.complete
  }

  request (index: number): void {
    const length = this.host.pieceLength(index)
    this.incoming.set(index, { requestedAt: Date.now(), length, hash: createHash('sha256'), chunks: [], received: 0 })
    this.abandoned.delete(index)
    this.inflightBytes += length
    this.wire.sendRequest(index)
  }

  /** Stop waiting for `index` (got it elsewhere, or timed out) and tell the peer. */
  abandon (index: number): void {
    if (this.forget(index)) {
      this.abandoned.add(index)
      this.wire.sendCancel(index)
    }
  }

  /** Requests sent before `deadline` that are still not complete. */
  expiredRequests (deadline: number): number[] {
    const out: number[] = []
    for (const [index, piece] of this.incoming) if (piece.requestedAt < deadline) out.push(index)
    return out
  }

  onHave (index: number): void {
    if (this.remoteHas.has(index)) return
    this.remoteHas.set(index)
    this.host.onPeerHave(this, index)
  }

  onRequest (index: number): void {
    if (!this.host.hasPiece(index)) {
      this.wire.sendReject(index, 'not-available')
    } else if (this.uploadQueue.length >= this.host.maxQueuedRequests) {
      this.wire.sendReject(index, 'overloaded')
    } else {
      this.uploadQueue.push(index)
      this.host.onUploadWanted(this)
    }
  }

  onCancel (index: number): void {
    const at = this.uploadQueue.indexOf(index)
    if (at >= 0) this.uploadQueue.splice(at, 1)
  }

  onReject (index: number, _reason: RejectReason): void {
    if (this.forget(index)) this.host.onRequestEnded(this, index)
  }

  onPieceData (index: number, offset: number, data: Uint8Array): void {
    const piece = this.incoming.get(index)
    if (piece === undefined) {
      if (this.abandoned.has(index)) {
        if (offset + data.byteLength >= this.host.pieceLength(index)) this.abandoned.delete(index)
        return
      }
      throw new ProtocolViolationError(`piece ${index} was not requested`)
    }
    piece.hash.update(data)
    piece.chunks.push(data)
    piece.received += data.byteLength
    if (piece.received < piece.length) return
    this.forget(index)
    this.host.onPieceReceived(this, index, piece.chunks, piece.hash.digest())
  }

  onClose (err?: Error): void {
    if (this.closed) return
    this.closed = true
    this.uploadQueue.length = 0
    this.host.onPeerClosed(this, err)
  }

  /** Drop our request for `index`; true if there was one. */
  private forget (index: number): boolean {
    const piece = this.incoming.get(index)
    if (piece === undefined) return false
    this.incoming.delete(index)
    this.inflightBytes -= piece.length
    return true
  }
}
