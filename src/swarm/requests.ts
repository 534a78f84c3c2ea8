import { ProtocolViolationError } from '../errors.js'

/**
 * A piece being received from one peer. Its bytes arrive in order: the wire checks every
 * offset (see core/wire.ts), so this keeps no expected offset of its own, only how far the
 * copy has come, for the rate it comes at.
 */
export interface Incoming {
  readonly requestedAt: number
  /** When its last bytes came (the request time until the first): a slow piece that still moves is not timed out. */
  progressAt: number
  readonly length: number
  /** When its first byte came: how fast it comes is measured from there (not from the request, which may queue). */
  firstByteAt?: number
  /** Taken from the host's pool when the first byte arrives; the piece is copied in. */
  buffer?: Uint8Array
  /** Set once the copy we wait for began (at offset 0). */
  copying: boolean
  /** Bytes of the copy received so far: the end of its last frame. */
  received: number
}

/** Where received pieces go: piece-sized buffers from the swarm's pool. */
export interface ReceiveBuffers {
  takeBuffer(): Uint8Array
  pieceLength(index: number): number
}

/** A requested piece whose last byte arrived: `piece` views a pooled buffer. */
export interface ReceivedPiece {
  piece: Uint8Array
  /** When the request went out (ms since the epoch). */
  requestedAt: number
}

/**
 * What we asked one peer for and what of it arrived: requests out (with their bytes in
 * flight and the copy being received), pieces we stopped waiting for whose late bytes are
 * forgiven, and pieces it refused lately.
 */
export class RequestBook {
  private readonly pieces = new Map<number, Incoming>()
  /**
   * Pieces we stopped waiting for, with how many copies may still be on their way: their
   * late bytes are dropped, not held against the peer (a cancel does not stop a piece that
   * is already being sent).
   */
  private readonly abandoned = new Map<number, number>()
  /** Pieces the peer refused us, with when we may ask again: the picker skips them meanwhile. */
  private readonly refused = new Map<number, number>()
  private inflight = 0
  /** When piece bytes last arrived (or the first request went out): for snubbing. */
  private dataAt = Date.now()
  /**
   * Shortest time seen from a request to its first byte, in ms: the round trip without
   * queueing (the first requests after an idle spell meet no queue).
   */
  private shortestRoundTrip = Number.POSITIVE_INFINITY

  get lastDataAt (): number {
    return this.dataAt
  }

  get roundTripMs (): number {
    return this.shortestRoundTrip
  }

  /** Bytes requested and not yet received. */
  get inflightBytes (): number {
    return this.inflight
  }

  get size (): number {
    return this.pieces.size
  }

  has (index: number): boolean {
    return this.pieces.has(index)
  }

  get (index: number): Incoming | undefined {
    return this.pieces.get(index)
  }

  indexes (): number[] {
    return [...this.pieces.keys()]
  }

  values (): IterableIterator<Incoming> {
    return this.pieces.values()
  }

  add (index: number, length: number, now: number): void {
    if (this.pieces.size === 0) this.dataAt = now
    this.pieces.set(index, { requestedAt: now, progressAt: now, length, received: 0, copying: false })
    this.inflight += length
  }

  /** Drop the request for `index`; returns it if there was one (its buffer is the caller's to give back). */
  forget (index: number): Incoming | undefined {
    const piece = this.pieces.get(index)
    if (piece === undefined) return undefined
    this.pieces.delete(index)
    this.inflight -= piece.length
    return piece
  }

  /** Forget `index` and forgive one copy of it still on its way. */
  abandon (index: number): Incoming | undefined {
    const piece = this.forget(index)
    if (piece !== undefined) this.abandoned.set(index, (this.abandoned.get(index) ?? 0) + 1)
    return piece
  }

  /**
   * A run of piece data. The wire delivers each copy of a piece in order from offset 0 to its
   * end, copies never interleaved (it checks every offset): so a copy we wait for begins at
   * offset 0, and bytes at another offset before that are the tail of a copy we abandoned.
   * Returns the piece once its last byte is in, 'stale' for bytes we no longer wait for
   * (dropped; a violation when we never asked), undefined meanwhile.
   */
  receive (index: number, offset: number, data: Uint8Array, buffers: ReceiveBuffers): ReceivedPiece | 'stale' | undefined {
    const piece = this.pieces.get(index)
    if (piece === undefined || (offset !== 0 && !piece.copying)) {
      this.dropStale(index, offset + data.byteLength, buffers.pieceLength(index))
      return 'stale'
    }
    const now = Date.now()
    if (offset === 0) this.beginCopy(piece, now)
    this.dataAt = now
    piece.progressAt = now
    // copy out of the transport's buffers at once, so they can be collected young
    const buffer = piece.buffer ??= buffers.takeBuffer()
    buffer.set(data, offset)
    piece.received = offset + data.byteLength
    if (piece.received < piece.length) return undefined
    piece.buffer = undefined
    this.forget(index)
    return { piece: buffer.subarray(0, piece.length), requestedAt: piece.requestedAt }
  }

  /** A copy of a requested piece starts: measured from its first byte. */
  private beginCopy (piece: Incoming, now: number): void {
    if (!piece.copying) this.shortestRoundTrip = Math.min(this.shortestRoundTrip, now - piece.requestedAt)
    piece.firstByteAt ??= now
    piece.copying = true
  }

  /** Bytes of a copy we no longer wait for, up to `end`: dropped if we abandoned one, a violation otherwise. */
  private dropStale (index: number, end: number, pieceLength: number): void {
    const copies = this.abandoned.get(index)
    if (copies === undefined) throw new ProtocolViolationError(`piece ${index} was not requested`)
    if (end < pieceLength) return
    if (copies <= 1) this.abandoned.delete(index)
    else this.abandoned.set(index, copies - 1)
  }

  refuse (index: number, until: number): void {
    this.refused.set(index, until)
  }

  /** Whether the peer refused `index` lately (not worth asking it again yet). */
  refusedLately (index: number, now: number): boolean {
    const until = this.refused.get(index)
    if (until === undefined) return false
    if (until > now) return true
    this.refused.delete(index)
    return false
  }

  /** Requests with no bytes since `deadline` (sent before it, and silent since). */
  expired (deadline: number): number[] {
    const out: number[] = []
    for (const [index, piece] of this.pieces) if (piece.progressAt < deadline) out.push(index)
    return out
  }

  /** Pieces whose bytes started before `since` and have come slower than `minRate` (bytes/s) since: a trickle. */
  trickling (since: number, now: number, minRate: number): number[] {
    const out: number[] = []
    for (const [index, piece] of this.pieces) if (trickles(piece, since, now, minRate)) out.push(index)
    return out
  }
}

function trickles (piece: Incoming, since: number, now: number, minRate: number): boolean {
  return piece.firstByteAt !== undefined && piece.firstByteAt < since && piece.received * 1000 < minRate * (now - piece.firstByteAt)
}
