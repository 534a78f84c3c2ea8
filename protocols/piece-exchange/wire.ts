import { ProtocolViolationError, ResourceLimitError } from '../../src/errors.js'
import { encodeFrame } from '../../src/utils/frames.js'
import { growReceiveWindow } from '../../src/utils/stream-window.js'
import { errorCodeOf, refusalOf, rejectCodeOf } from './codes.js'
import { CLOSE_TIMEOUT, MAX_FRAME_DATA, MAX_QUEUED_CONTROL, RECEIVE_WINDOW } from './constants.js'
import { WireDecoder, encodePieceRun } from './decoder.js'
import { dispatchMessage } from './dispatch.js'
import { HandshakeReader, handshakeMessages } from './handshake.js'
import { HaveBatch } from './have-batch.js'
import { IncomingPieces } from './incoming-pieces.js'
import { Outbox } from './outbox.js'
import { Message } from './pb/piece-exchange.js'
import type { FrameBudget } from './frame-budget.js'
import type { Pacing, PieceWire, PieceWireHandler, ReadWatch, RejectReason, SwarmEndpoint } from '../../src/core/wire.js'
import type { Logger, Stream } from '@libp2p/interface'

export { RemoteRefusedError } from './codes.js'

export interface WireInit {
  stream: Stream
  remotePeer: string
  outbound: boolean
  log: Logger
  /** Called once when the stream is gone, whatever the phase. */
  onClosed?: (wire: Wire) => void
  /** Where the bytes of unfinished frames this stream holds are counted. @default not counted */
  frames?: FrameBudget
}

type WireState =
  | { phase: 'handshaking', endpoint?: SwarmEndpoint }
  | { phase: 'open', endpoint: SwarmEndpoint, handler: PieceWireHandler }
  | { phase: 'closed' }

/**
 * One piece-exchange stream: frames in, typed calls out to the swarm's handler; typed calls
 * in, frames out. Holds only per-stream protocol state: the handshake phase, the pieces
 * being received (IncomingPieces) and the haves waiting to go out (HaveBatch).
 */
export class Wire implements PieceWire {
  readonly remotePeer: string
  readonly outbound: boolean
  readonly stats = { uploaded: 0, downloaded: 0 }
  private readonly stream: Stream
  private readonly log: Logger
  private readonly onClosed?: (wire: Wire) => void
  private readonly frames?: FrameBudget
  /** Bytes of unfinished frames held, as last counted in `frames`. */
  private unfinished = 0
  private state: WireState = { phase: 'handshaking' }
  /** The Piece headers checked and the offset of the raw bytes arriving now. */
  private readonly pieces = new IncomingPieces()
  private sending: Promise<void> = Promise.resolve()
  /** What we wrote that the peer has not taken yet; what waits while it does not read is capped (MAX_QUEUED_CONTROL). */
  private readonly outbox: Outbox
  /** Haves waiting for HAVE_BATCH_MS (or for any other write) to go out together. */
  private readonly haves = new HaveBatch(() => { this.flush() })
  private flushQueued = false
  /**
   * The remote's Handshake names this content id and piece count: the endpoint to trade it
   * with (the wire then checks the piece count and takes the bitfield), or undefined once
   * the exchange is refused. Set by whoever drives the handshake; throwing
   * ProtocolViolationError ends the stream as a breach.
   */
  onHandshake?: (contentId: Uint8Array, pieceCount: number) => SwarmEndpoint | undefined
  /** The remote's whole bitfield, checked: exactly one bit per piece, spare bits zero. */
  onBitfield?: (bitfield: Uint8Array) => void
  onEnd?: (err?: Error) => void
  private readonly handshake = new HandshakeReader({
    header: (contentId, pieceCount) => this.onHandshake?.(contentId, pieceCount)?.pieceCount,
    complete: (bitfield) => { this.onBitfield?.(bitfield) }
  })

  constructor (init: WireInit) {
    this.stream = init.stream
    this.remotePeer = init.remotePeer
    this.outbound = init.outbound
    this.log = init.log
    this.onClosed = init.onClosed
    this.frames = init.frames
    this.outbox = new Outbox(this.stream)
    growReceiveWindow(this.stream, RECEIVE_WINDOW)
    this.listen()
  }

  private listen (): void {
    const decoder = new WireDecoder({
      onMessage: (message) => { this.onMessage(message) },
      onPieceBytes: (data) => { this.onPieceBytes(data) }
    })
    this.stream.addEventListener('message', (evt) => {
      if (this.state.phase === 'closed') return
      try {
        decoder.push(evt.data)
      } catch (err) {
        this.close(err as Error)
        return
      }
      this.holdUnfinished(decoder.buffered)
    })
    this.stream.addEventListener('close', (evt) => { this.ended(evt.error) })
    this.stream.addEventListener('remoteCloseWrite', () => { this.close() })
    // the peer took what was queued: it reads again, and the messages that waited go out
    this.stream.addEventListener('drain', () => {
      this.outbox.drained()
      this.flush()
    })
  }

  get isOpen (): boolean {
    return this.state.phase === 'open'
  }

  /** The bitfield our handshake carried, if it has been sent. */
  sentBitfield?: Uint8Array

  sendHandshake (contentId: Uint8Array, endpoint: SwarmEndpoint): void {
    if (this.state.phase === 'handshaking') this.state = { phase: 'handshaking', endpoint }
    this.sentBitfield = endpoint.bitfield()
    for (const message of handshakeMessages(contentId, endpoint.pieceCount, this.sentBitfield)) this.send(message)
  }

  /** Handshakes are done: from now on messages go to `handler`. */
  open (endpoint: SwarmEndpoint, handler: PieceWireHandler): void {
    if (this.state.phase !== 'handshaking') return
    this.state = { phase: 'open', endpoint, handler }
  }

  /** Tell the peer why we end the exchange, then close. */
  refuse (reason: RejectReason): void {
    this.send({ error: { code: errorCodeOf(reason) } })
    this.flush()
    this.close()
  }

  sendHave (index: number): void {
    if (this.state.phase === 'closed') return
    this.haves.add(index)
  }
  sendRequest (index: number): void { this.send({ request: { index } }) }
  sendCancel (index: number): void { this.send({ cancel: { index } }) }

  sendReject (index: number, reason: RejectReason): void {
    this.send({ reject: { index, code: rejectCodeOf(reason) } })
  }

  sendChoke (): void { this.send({ choke: {} }) }
  sendUnchoke (): void { this.send({ unchoke: {} }) }

  async sendPiece (index: number, data: Uint8Array, pacing?: Pacing, watch?: ReadWatch): Promise<boolean> {
    // one piece at a time, so the runs of a piece stay contiguous on the stream
    const previous = this.sending
    let done!: () => void
    this.sending = new Promise(resolve => { done = resolve })
    try {
      await previous
      const runBytes = Math.min(MAX_FRAME_DATA, pacing?.runBytes ?? MAX_FRAME_DATA)
      for (let offset = 0; offset < data.byteLength; offset += runBytes) {
        const run = data.subarray(offset, offset + runBytes)
        if (pacing !== undefined) await pacing.take(run.byteLength)
        // a run waits until the peer has taken what came before it: one at most sits in the stream
        await this.outbox.writable(watch)
        if (this.state.phase === 'closed') return false
        this.flush()
        this.outbox.write(encodePieceRun(index, offset, run))
        this.stats.uploaded += run.byteLength
      }
      return true
    } finally {
      done()
    }
  }

  close (err?: Error): void {
    if (this.state.phase === 'closed') return
    if (err !== undefined) {
      this.stream.abort(err)
    } else {
      // the last messages (a refusal) go out even behind a blocked stream; a peer that does
      // not take them within CLOSE_TIMEOUT has its stream reset
      this.takeHaves()
      this.outbox.flush(true)
      this.stream.close({ signal: AbortSignal.timeout(CLOSE_TIMEOUT) }).catch(e => { this.stream.abort(e) })
    }
    this.ended(err)
  }

  /**
   * Queue a control message. Messages made in one turn of the event loop go out as one
   * write: a burst of requests or haves costs one muxer frame and one syscall, not one each.
   * While the peer does not read they wait, counted: past MAX_QUEUED_CONTROL it is a violation.
   */
  private send (message: Message): void {
    if (this.state.phase === 'closed') return
    // waiting haves go first: batching delays them, it never reorders them
    this.takeHaves()
    this.outbox.append(encodeFrame(Message.encode(message)))
    // only what waits on a blocked stream counts: a burst of our own within one turn (a
    // handshake whose bitfield goes in parts, up to 1 MiB) is written at the end of the turn
    if (this.outbox.blocked && this.outbox.waiting > MAX_QUEUED_CONTROL) {
      this.close(new ProtocolViolationError(`does not read what we send it: ${this.outbox.queued} bytes queued to it`))
      return
    }
    if (this.flushQueued) return
    this.flushQueued = true
    queueMicrotask(() => { this.flush() })
  }

  private flush (): void {
    this.flushQueued = false
    if (this.state.phase === 'closed') return
    // haves ride along with whatever goes out now
    this.takeHaves()
    try {
      this.outbox.flush()
    } catch (err) {
      this.log.error('send to %s failed - %e', this.remotePeer, err)
      this.close(err as Error)
    }
  }

  /** Move the waiting haves into the pending write. */
  private takeHaves (): void {
    for (const index of this.haves.take()) this.outbox.append(encodeFrame(Message.encode({ have: { index } })))
  }

  /** Count the bytes of unfinished frames held now; reset the stream if that is over a limit. */
  private holdUnfinished (bytes: number): void {
    if (this.frames === undefined || bytes === this.unfinished) return
    if (this.frames.hold(this.remotePeer, this.unfinished, bytes)) {
      this.unfinished = bytes
      return
    }
    this.close(new ResourceLimitError(`${this.remotePeer} holds too many bytes of unfinished frames`))
  }

  private ended (err?: Error): void {
    const previous = this.state
    if (previous.phase === 'closed') return
    this.state = { phase: 'closed' }
    this.frames?.hold(this.remotePeer, this.unfinished, 0)
    this.unfinished = 0
    this.haves.stop()
    if (previous.phase === 'open') previous.handler.onClose(err)
    this.onEnd?.(err)
    this.onClosed?.(this)
  }

  private onMessage (message: Message): void {
    const { state } = this
    if (state.phase === 'closed') return
    const fields = Object.values(message).filter(v => v !== undefined).length
    if (fields !== 1) throw new ProtocolViolationError(`a message must set exactly one field, not ${fields}`)
    if (message.error !== undefined) {
      this.close(refusalOf(message.error.code))
      return
    }
    if (state.phase === 'handshaking') {
      this.handshake.take(message)
      return
    }
    const { endpoint, handler } = state
    dispatchMessage(message, endpoint, handler, (piece) => { this.pieces.header(piece, endpoint) })
  }

  private onPieceBytes (data: Uint8Array): void {
    if (this.state.phase !== 'open') return
    const place = this.pieces.place(data.byteLength)
    if (place === undefined) return
    this.stats.downloaded += data.byteLength
    this.state.handler.onPieceData(place.index, place.offset, data)
  }
}
