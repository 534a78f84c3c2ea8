import { TimeoutError } from '@libp2p/interface'
import { parseContentId } from '../../src/core/content-id.js'
import { ProtocolViolationError } from '../../src/errors.js'
import { MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS, MAX_UNFINISHED_BYTES, MAX_UNFINISHED_BYTES_PER_PEER, PROTOCOL_NAME, PROTOCOL_PREFIX, PROTOCOL_VERSION } from './constants.js'
import { FrameBudget } from './frame-budget.js'
import { Wire } from './wire.js'
import type { PieceExchange, PieceExchangeComponents, PieceExchangeInit } from './index.js'
import type { PieceWire, SwarmEndpoint } from '../../src/index.js'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'

export class PieceExchangeClass implements PieceExchange {
  readonly [Symbol.toStringTag] = 'shoal:piece-exchange'
  readonly protocol: string
  private readonly components: PieceExchangeComponents
  private readonly log: Logger
  private readonly handshakeTimeout: number
  private readonly maxInboundStreams: number
  private readonly maxOutboundStreams: number
  private readonly onViolation?: (peerId: string, reason: string) => void
  private readonly wires = new Set<Wire>()
  /** Memory held in unfinished frames by every stream of this node. */
  readonly frames = new FrameBudget(MAX_UNFINISHED_BYTES_PER_PEER, MAX_UNFINISHED_BYTES)
  private started = false

  constructor (components: PieceExchangeComponents, init: PieceExchangeInit) {
    this.components = components
    this.log = components.logger.forComponent('shoal:piece-exchange')
    this.protocol = `/${init.protocolPrefix ?? PROTOCOL_PREFIX}/${PROTOCOL_NAME}/${PROTOCOL_VERSION}`
    this.handshakeTimeout = init.handshakeTimeout
    this.maxInboundStreams = init.maxInboundStreams ?? MAX_INBOUND_STREAMS
    this.maxOutboundStreams = init.maxOutboundStreams ?? MAX_OUTBOUND_STREAMS
    this.onViolation = init.onViolation
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(this.protocol, async (stream, connection) => {
      this.onInbound(stream, connection)
    }, { maxInboundStreams: this.maxInboundStreams, maxOutboundStreams: this.maxOutboundStreams })
    this.started = true
  }

  async stop (): Promise<void> {
    this.started = false
    await this.components.registrar.unhandle(this.protocol)
    for (const wire of this.wires) wire.refuse('shutting-down')
    this.wires.clear()
  }

  isStarted (): boolean {
    return this.started
  }

  async connect (peer: PeerId, endpoint: SwarmEndpoint, options: { signal?: AbortSignal } = {}): Promise<PieceWire> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.handshakeTimeout), ...(options.signal === undefined ? [] : [options.signal])])
    const stream = await this.components.connectionManager.openStream(peer, this.protocol, { signal })
    const wire = this.track(stream, peer.toString(), true)
    const contentId = parseContentId(endpoint.contentId).bytes
    return await new Promise<PieceWire>((resolve, reject) => {
      const fail = (err: Error): void => {
        signal.removeEventListener('abort', onAbort)
        wire.close(err)
        reject(err)
      }
      const onAbort = (): void => { fail(signal.reason instanceof Error && signal.reason.name !== 'TimeoutError' ? signal.reason : new TimeoutError('piece-exchange handshake timed out')) }
      signal.addEventListener('abort', onAbort, { once: true })
      wire.onEnd = (err) => { fail(err ?? new ProtocolViolationError('stream ended during the handshake')) }
      wire.onHandshake = (remoteId, pieceCount, bitfield) => {
        signal.removeEventListener('abort', onAbort)
        wire.onEnd = undefined
        if (!sameBytes(remoteId, contentId) || pieceCount !== endpoint.pieceCount) {
          fail(new ProtocolViolationError('handshake for different content'))
          return
        }
        const handler = endpoint.attach(wire, bitfield, wire.sentBitfield)
        if (typeof handler === 'string') {
          wire.refuse(handler)
          reject(new ProtocolViolationError(`refused: ${handler}`))
          return
        }
        wire.open(endpoint, handler)
        resolve(wire)
      }
      wire.sendHandshake(contentId, endpoint)
    })
  }

  private onInbound (stream: Stream, connection: Connection): void {
    const remotePeer = connection.remotePeer.toString()
    const wire = this.track(stream, remotePeer, false)
    const timer = setTimeout(() => { wire.close(new TimeoutError('no handshake')) }, this.handshakeTimeout)
    wire.onEnd = (err) => {
      clearTimeout(timer)
      if (err?.name === 'ProtocolViolationError') this.onViolation?.(remotePeer, err.message)
    }
    wire.onHandshake = (contentIdBytes, pieceCount, bitfield) => {
      clearTimeout(timer)
      wire.onEnd = undefined
      let contentId: string
      try {
        contentId = parseContentId(contentIdBytes).toString()
      } catch {
        throw new ProtocolViolationError('handshake with a malformed content id')
      }
      const endpoint = this.started ? this.components.trading.endpoint(contentId) : undefined
      if (endpoint === undefined) {
        wire.refuse(this.started ? 'unknown-content' : 'shutting-down')
        return
      }
      if (pieceCount !== endpoint.pieceCount) throw new ProtocolViolationError('handshake piece count differs from the manifest')
      const handler = endpoint.attach(wire, bitfield)
      if (typeof handler === 'string') {
        wire.refuse(handler)
        return
      }
      wire.sendHandshake(contentIdBytes, endpoint)
      wire.open(endpoint, handler)
    }
  }

  private track (stream: Stream, remotePeer: string, outbound: boolean): Wire {
    const wire = new Wire({ stream, remotePeer, outbound, log: this.log, frames: this.frames, onClosed: (w) => this.wires.delete(w) })
    this.wires.add(wire)
    return wire
  }
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b))
}
