import { TimeoutError } from '@libp2p/interface'
import { parseContentId } from '../../src/core/content-id.js'
import { ProtocolViolationError } from '../../src/errors.js'
import { MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS, MAX_UNFINISHED_BYTES, MAX_UNFINISHED_BYTES_PER_PEER, PROTOCOL_NAME, PROTOCOL_PREFIX, PROTOCOL_VERSION } from './constants.js'
import { FrameBudget } from './frame-budget.js'
import { HandshakeEndedError } from './handshake.js'
import { Wire } from './wire.js'
import { openPreferredStream } from '../../src/utils/open-stream.js'
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
    }, { maxInboundStreams: this.maxInboundStreams, maxOutboundStreams: this.maxOutboundStreams, runOnLimitedConnection: true })
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

  /**
   * Open a stream to `peer` and trade handshakes. Settles within the handshake timeout
   * whatever the peer does; a breach of the handshake by the peer is reported to
   * `onViolation` (as one by a peer that dialled us is) before the promise rejects.
   */
  async connect (peer: PeerId, endpoint: SwarmEndpoint, options: { signal?: AbortSignal } = {}): Promise<PieceWire> {
    const signal = AbortSignal.any([AbortSignal.timeout(this.handshakeTimeout), ...(options.signal === undefined ? [] : [options.signal])])
    const stream = await openPreferredStream(this.components.connectionManager, peer, this.protocol, { signal })
    const remotePeer = peer.toString()
    const wire = this.track(stream, remotePeer, true)
    const contentId = parseContentId(endpoint.contentId).bytes
    return await new Promise<PieceWire>((resolve, reject) => {
      let settled = false
      /** Once: stop listening, then open the exchange, or end it (a violation is reported). */
      const settle = (err?: Error): void => {
        if (settled) return
        settled = true
        signal.removeEventListener('abort', onAbort)
        wire.onEnd = undefined
        wire.onHandshake = undefined
        wire.onBitfield = undefined
        if (err === undefined) {
          resolve(wire)
          return
        }
        wire.close(err)
        if (err.name === 'ProtocolViolationError') this.onViolation?.(remotePeer, err.message)
        reject(err)
      }
      const onAbort = (): void => { settle(signal.reason instanceof Error && signal.reason.name !== 'TimeoutError' ? signal.reason : new TimeoutError('piece-exchange handshake timed out')) }
      signal.addEventListener('abort', onAbort, { once: true })
      // whatever ends the stream first ends the handshake: a breach, a refusal, a reset
      wire.onEnd = (err) => { settle(err ?? new HandshakeEndedError('stream ended during the handshake')) }
      wire.onHandshake = (remoteId) => {
        if (!sameBytes(remoteId, contentId)) throw new ProtocolViolationError('handshake for different content')
        return endpoint
      }
      wire.onBitfield = (bitfield) => {
        const handler = endpoint.attach(wire, bitfield, wire.sentBitfield)
        if (typeof handler === 'string') {
          wire.onEnd = undefined
          wire.refuse(handler)
          settle(new HandshakeEndedError(`refused: ${handler}`))
          return
        }
        wire.open(endpoint, handler)
        settle()
      }
      if (signal.aborted) onAbort()
      else wire.sendHandshake(contentId, endpoint)
    })
  }

  private onInbound (stream: Stream, connection: Connection): void {
    const remotePeer = connection.remotePeer.toString()
    const wire = this.track(stream, remotePeer, false)
    const timer = setTimeout(() => { wire.close(new TimeoutError('no handshake')) }, this.handshakeTimeout)
    /** The handshake is over, either way: the swarm's session reports what happens from now on. */
    const done = (): void => {
      clearTimeout(timer)
      wire.onEnd = undefined
      wire.onHandshake = undefined
      wire.onBitfield = undefined
    }
    // a breach at any step of the handshake (frame, content id, piece count, bitfield) ends here
    wire.onEnd = (err) => {
      done()
      if (err?.name === 'ProtocolViolationError') this.onViolation?.(remotePeer, err.message)
    }
    let accepted: { contentId: Uint8Array, endpoint: SwarmEndpoint } | undefined
    wire.onHandshake = (remoteId) => {
      let contentId: string
      try {
        contentId = parseContentId(remoteId).toString()
      } catch {
        throw new ProtocolViolationError('handshake with a malformed content id')
      }
      const endpoint = this.started ? this.components.trading.endpoint(contentId) : undefined
      if (endpoint === undefined) {
        done()
        wire.refuse(this.started ? 'unknown-content' : 'shutting-down')
        return undefined
      }
      accepted = { contentId: remoteId, endpoint }
      return endpoint
    }
    wire.onBitfield = (bitfield) => {
      if (accepted === undefined) return
      const { contentId, endpoint } = accepted
      const handler = endpoint.attach(wire, bitfield)
      done()
      if (typeof handler === 'string') {
        wire.refuse(handler)
        return
      }
      wire.sendHandshake(contentId, endpoint)
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
