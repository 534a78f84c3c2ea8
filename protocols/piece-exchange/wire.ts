import { Uint8ArrayList } from 'uint8arraylist'
import { ProtocolViolationError, ResourceLimitError } from '../../src/errors.js'
import { encodeFrame, waitForDrain } from '../../src/utils/frames.js'
import { growReceiveWindow } from '../../src/utils/stream-window.js'
import { CLOSE_TIMEOUT, HAVE_BATCH_MS, MAX_FRAME_DATA, MAX_QUEUED_CONTROL, RECEIVE_WINDOW } from './constants.js'
import { WireDecoder, encodePieceRun } from './decoder.js'
import { HandshakeReader, handshakeMessages } from './handshake.js'
import { Outbox } from './outbox.js'
import { ErrorCode, Message, RejectCode } from './pb/piece-exchange.js'
import type { FrameBudget } from './frame-budget.js'
import type { Pacing, PieceWire, PieceWireHandler, ReadWatch, RejectReason, SwarmEndpoint } from '../../src/core/wire.js'
import type { Logger, Stream } from '@libp2p/interface'

const REJECT_TO_WIRE: Partial<Record<RejectReason, RejectCode>> = {
  'not-available': RejectCode.NOT_AVAILABLE,
  overloaded: RejectCode.OVERLOADED,
  choked: RejectCode.CHOKED,
  elsewhere: RejectCode.ELSEWHERE
}
const REJECT_FROM_WIRE: Record<RejectCode, RejectReason> = {
  [RejectCode.NOT_AVAILABLE]: 'not-available',
  [RejectCode.OVERLOADED]: 'overloaded',
  [RejectCode.CHOKED]: 'choked',
  [RejectCode.ELSEWHERE]: 'elsewhere'
}
const ERROR_TO_WIRE: Record<string, ErrorCode> = {
  'unknown-content': ErrorCode.UNKNOWN_CONTENT,
  'swarm-full': ErrorCode.SWARM_FULL,
  'shutting-down': ErrorCode.SHUTTING_DOWN,
  duplicate: ErrorCode.DUPLICATE
}

/** The remote ended the exchange with an Error message; `code` says why. */
export class RemoteRefusedError extends Error {
  static override name = 'RemoteRefusedError'
  constructor (readonly code: string) {
    super(`peer refused the exchange: ${code}`)
    this.name = 'RemoteRefusedError'
  }
}

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
 * in, frames out. Holds only per-stream protocol state (the handshake phase and the offset
 * expected next for each piece being received).
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
  private readonly nextOffset = new Map<number, number>()
  /** The piece whose raw bytes are arriving now (after its Piece header). */
  private incoming?: { index: number, offset: number }
  private sending: Promise<void> = Promise.resolve()
  /** What we wrote that the peer has not taken yet; what waits while it does not read is capped (MAX_QUEUED_CONTROL). */
  private readonly outbox: Outbox
  /** Haves waiting for HAVE_BATCH_MS (or for any other write) to go out together. */
  private readonly pendingHaves: number[] = []
  private haveTimer?: NodeJS.Timeout
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
  /**
   * Bytes of our own handshake: they may wait for the peer on top of MAX_QUEUED_CONTROL (a
   * bitfield in parts is up to about 1 MiB for the largest content the manifest rules allow,
   * all written at once before the peer has read a byte).
   */
  private handshakeBytes = 0

  sendHandshake (contentId: Uint8Array, endpoint: SwarmEndpoint): void {
    if (this.state.phase === 'handshaking') this.state = { phase: 'handshaking', endpoint }
    this.sentBitfield = endpoint.bitfield()
    const messages = handshakeMessages(contentId, endpoint.pieceCount, this.sentBitfield)
    // the bitfield, plus each message's framing and fields (a few dozen bytes, and the content id)
    this.handshakeBytes = this.sentBitfield.byteLength + messages.length * (contentId.byteLength + 32)
    for (const message of messages) this.send(message)
  }

  /** Handshakes are done: from now on messages go to `handler`. */
  open (endpoint: SwarmEndpoint, handler: PieceWireHandler): void {
    if (this.state.phase !== 'handshaking') return
    this.state = { phase: 'open', endpoint, handler }
  }

  /** Tell the peer why we end the exchange, then close. */
  refuse (reason: RejectReason): void {
    this.send({ error: { code: ERROR_TO_WIRE[reason] ?? ErrorCode.PROTOCOL_VIOLATION } })
    this.flush()
    this.close()
  }

  sendHave (index: number): void {
    if (this.state.phase === 'closed') return
    this.pendingHaves.push(index)
    this.haveTimer ??= setTimeout(() => {
      this.haveTimer = undefined
      this.flush()
    }, HAVE_BATCH_MS)
  }
  sendRequest (index: number): void { this.send({ request: { index } }) }
  sendCancel (index: number): void { this.send({ cancel: { index } }) }

  sendReject (index: number, reason: RejectReason): void {
    this.send({ reject: { index, code: REJECT_TO_WIRE[reason] ?? RejectCode.NOT_AVAILABLE } })
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
    if (this.outbox.waiting > MAX_QUEUED_CONTROL + this.handshakeBytes) {
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
    if (this.pendingHaves.length === 0) return
    for (const index of this.pendingHaves) this.outbox.append(encodeFrame(Message.encode({ have: { index } })))
    this.pendingHaves.length = 0
    clearTimeout(this.haveTimer)
    this.haveTimer = undefined
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
    clearTimeout(this.haveTimer)
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
      this.close(new RemoteRefusedError(ErrorCode[message.error.code] ?? 'UNKNOWN'))
      return
    }
    if (state.phase === 'handshaking') {
      this.handshake.take(message)
      return
    }
    this.dispatch(message, state.endpoint, state.handler)
  }

  private dispatch (message: Message, endpoint: SwarmEndpoint, handler: PieceWireHandler): void {
    const checkIndex = (index: number): number => {
      if (index >= endpoint.pieceCount) throw new ProtocolViolationError(`piece ${index} out of range`)
      return index
    }
    if (message.piece !== undefined) {
      this.onPiece(message.piece, endpoint)
    } else if (message.have !== undefined) {
      handler.onHave(checkIndex(message.have.index))
    } else if (message.request !== undefined) {
      handler.onRequest(checkIndex(message.request.index))
    } else if (message.cancel !== undefined) {
      handler.onCancel(checkIndex(message.cancel.index))
    } else if (message.reject !== undefined) {
      handler.onReject(checkIndex(message.reject.index), REJECT_FROM_WIRE[message.reject.code] ?? 'not-available')
    } else if (message.choke !== undefined) {
      handler.onChoke()
    } else if (message.unchoke !== undefined) {
      handler.onUnchoke()
    } else {
      throw new ProtocolViolationError('a handshake message after the handshake, or no known field set')
    }
  }

  /** Check a Piece header before any of its bytes are accepted. */
  private onPiece (piece: { index: number, offset: number, length: number }, endpoint: SwarmEndpoint): void {
    const { index, offset, length } = piece
    if (index >= endpoint.pieceCount) throw new ProtocolViolationError(`piece ${index} out of range`)
    const pieceLength = endpoint.pieceLength(index)
    const expected = this.nextOffset.get(index) ?? 0
    if (offset !== expected || length === 0 || length > MAX_FRAME_DATA || offset + length > pieceLength) {
      throw new ProtocolViolationError(`piece ${index}: ${length} bytes at ${offset}, expected offset ${expected} of ${pieceLength}`)
    }
    const next = offset + length
    if (next === pieceLength) this.nextOffset.delete(index)
    else this.nextOffset.set(index, next)
    this.incoming = { index, offset }
  }

  private onPieceBytes (data: Uint8Array): void {
    const { state, incoming } = this
    if (state.phase !== 'open' || incoming === undefined) return
    this.stats.downloaded += data.byteLength
    const offset = incoming.offset
    incoming.offset += data.byteLength
    state.handler.onPieceData(incoming.index, offset, data)
  }
}
