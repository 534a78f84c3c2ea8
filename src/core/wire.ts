/**
 * The seam between the piece-exchange protocol (the only code that touches its streams) and
 * the swarm manager (all the state). The protocol turns a stream into a PieceWire and
 * delivers what arrives to a PieceWireHandler; the swarm never sees bytes on the wire.
 */

/** Why a request or a whole swarm connection was refused; each maps to a wire code. */
export type RejectReason = 'not-available' | 'overloaded' | 'choked' | 'elsewhere' | 'unknown-content' | 'swarm-full' | 'shutting-down' | 'duplicate'

/** How a rate-limited upload spends its budget. */
export interface Pacing {
  /** Resolves once `bytes` may go out. */
  take(bytes: number): Promise<void>
  /**
   * Largest frame of piece data: small enough that a slow, shared budget still sends a little
   * often (a peer silent for long looks stalled), large enough to keep the per-frame cost low.
   */
  runBytes: number
}

/**
 * How a piece send watches the peer read: the send waits on the peer whenever the stream holds
 * bytes the peer's receive window has not admitted, and every `stallMs` of such waiting in
 * which the peer took less than `minRate` bytes a second, `onStall` is called (the send goes
 * on waiting; `onStall` may end the exchange). Our own pauses (pacing, a busy event loop) do
 * not count against the peer.
 */
export interface ReadWatch {
  readonly stallMs: number
  /** Bytes a second. */
  readonly minRate: number
  onStall(): void
  /** After a stall, the peer took bytes again: called at once, before anything else it sent is handled. */
  onRead?(): void
}

/** What a swarm can send to one peer about one content. */
export interface PieceWire {
  readonly remotePeer: string
  /** Whether we opened this stream (used to break ties when two peers dial each other). */
  readonly outbound: boolean
  sendHave(index: number): void
  sendRequest(index: number): void
  sendCancel(index: number): void
  sendReject(index: number, reason: RejectReason): void
  /** We will not serve this peer's requests until `sendUnchoke`. */
  sendChoke(): void
  sendUnchoke(): void
  /**
   * Send a whole piece in frames; resolves once the last frame is queued, waiting for drain:
   * true if the whole piece went out, false if the wire closed first.
   * `pacing`, when given, is awaited before each frame with its size (rate limits). A copy,
   * once begun, goes out whole: the receiver takes a piece's frames in order, to its end.
   * `watch`, when given, is told when the peer does not read (see ReadWatch).
   */
  sendPiece(index: number, data: Uint8Array, pacing?: Pacing, watch?: ReadWatch): Promise<boolean>
  /** Bytes of piece data sent (handed to the stream, per run) and received on this wire. */
  readonly stats: { readonly uploaded: number, readonly downloaded: number }
  /** End the exchange; with an error, the stream is reset rather than closed. */
  close(err?: Error): void
}

/** What the protocol delivers to the swarm for one peer. Calls are synchronous and in wire order. */
export interface PieceWireHandler {
  onHave(index: number): void
  onRequest(index: number): void
  onCancel(index: number): void
  onReject(index: number, reason: RejectReason): void
  /** The peer will not serve our requests until it unchokes us. */
  onChoke(): void
  onUnchoke(): void
  /**
   * A run of piece data, range-checked. Each copy of a piece arrives whole and in order, from
   * offset 0 to its end, and copies of one piece never interleave: the protocol checks every
   * offset, so the handler keeps no expected offset of its own.
   */
  onPieceData(index: number, offset: number, data: Uint8Array): void
  /** The wire is gone; `err` is set when it broke (protocol violation, reset, timeout). */
  onClose(err?: Error): void
}

/** One swarm as the piece-exchange protocol sees it. */
export interface SwarmEndpoint {
  readonly contentId: string
  readonly pieceCount: number
  pieceLength(index: number): number
  /** Our bitfield bytes for the handshake. */
  bitfield(): Uint8Array
  /**
   * A peer finished the handshake. Returns the handler for its messages, or a reason to
   * refuse it. Called synchronously before any of the peer's later messages are delivered.
   * `sentBitfield` is what our own handshake said, when it went out earlier: pieces gained
   * since then must still be announced.
   */
  attach(wire: PieceWire, remoteBitfield: Uint8Array, sentBitfield?: Uint8Array): PieceWireHandler | RejectReason
}

/** How the protocol finds the swarm an inbound handshake asks for. */
export interface SwarmLookup {
  endpoint(contentId: string): SwarmEndpoint | undefined
}
