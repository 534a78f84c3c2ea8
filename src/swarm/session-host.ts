import type { PeerSession } from './peer-session.js'

/** What a peer session needs from its swarm: the swarm owns all cross-peer state. */
export interface SessionHost {
  pieceLength(index: number): number
  hasPiece(index: number): boolean
  readonly maxQueuedRequests: number
  /** ms before a piece a peer refused is asked of that peer again. */
  readonly refusalMs: number
  onPeerHave(session: PeerSession, index: number): void
  /** A piece-sized buffer to receive into; given back with `releaseBuffer` or `onPieceReceived`. */
  takeBuffer(): Uint8Array
  releaseBuffer(buffer: Uint8Array): void
  /**
   * All bytes of a requested piece arrived (not yet verified); `piece` views a taken buffer,
   * `requestedAt` is when the request went out (ms since the epoch).
   */
  onPieceReceived(session: PeerSession, index: number, piece: Uint8Array, requestedAt: number): void
  onRequestEnded(session: PeerSession, index: number): void
  /** The peer unchoked us: requests may go out. */
  onUnchoked(session: PeerSession): void
  /**
   * The peer asked for a piece we have and queue room is left: count the copy, or say no
   * (false) when it should get this piece from another peer (initial seeding); with
   * `insisted` (it asks again after being told so) the copy is counted and never refused.
   */
  admitUpload(session: PeerSession, index: number, insisted: boolean): boolean
  /** A copy admitted will not go out after all (the peer was choked, cancelled it, or left): it counts no more. */
  withdrawUpload(session: PeerSession, index: number): void
  onUploadWanted(session: PeerSession): void
  /** The peer stopped reading what we send it: it can use no upload slot now. */
  onStoppedReading(session: PeerSession): void
  onPeerClosed(session: PeerSession, err?: Error): void
}
