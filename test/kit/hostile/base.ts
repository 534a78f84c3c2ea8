import { randomBytes } from 'node:crypto'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { Chunk, Request, Response, Status } from '../../../protocols/manifest-exchange/pb/manifest-exchange.js'
import { Message } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { encodeFrame, waitForDrain } from '../../../src/utils/frames.js'
import { readFrames } from '../../integration/helpers/read-frames.js'
import type { TCPSocketOptions } from '@libp2p/tcp'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export const PIECE_EXCHANGE = '/shoal/piece-exchange/2.0.0'
export const MANIFEST_EXCHANGE = '/shoal/manifest-exchange/1.0.0'
/** SPEC.md limits: the largest raw run after a Piece header, and any other frame. */
export const MAX_RUN = 256 * 1024
export const MAX_CONTROL_FRAME = 64 * 1024

/** The content a hostile peer pretends to trade: enough to know each piece's length. */
export interface ContentShape {
  size: number
  pieceSize: number
}

/** What a hostile peer did, for a test's assertions. */
export interface HostileStats {
  handshakes: number
  pieceRequests: number
  piecesSent: number
  bytesSent: number
  rejectsSent: number
  manifestRequests: number
  /** Streams a flooder opened, and how many of them the target reset or refused. */
  streamsOpened: number
  streamsRefused: number
}

/** One piece-exchange stream with a Shoal node, once both handshakes are out. */
export interface PieceSession {
  readonly stream: Stream
  readonly pieceCount: number
  readonly stats: HostileStats
  pieceLength(index: number): number
  /** Queue one framed protobuf message; false when the stream wants a drain. */
  send(message: Message): boolean
  /** Queue bytes as they are, framing and all (for garbage). */
  sendRaw(bytes: Uint8Array | Uint8ArrayList): boolean
  /** The Shoal node hung up (or the stream failed). */
  readonly ended: boolean
}

/**
 * A piece-exchange misbehaviour: the base peer answers the handshake (with `bitfield`, full
 * by default) and an Unchoke, so the Shoal node will ask it for pieces, then hands every
 * message on to these hooks.
 */
export interface PieceBehaviour {
  /** The bitfield of our handshake. @default every piece */
  bitfield?(pieceCount: number): Uint8Array
  /**
   * Our whole answer to the node's handshake, or undefined for none at all (then nothing
   * else is sent either). @default its content id and piece count, with `bitfield`
   */
  handshake?(theirs: HandshakeFields): HandshakeFields | undefined
  /** Our handshake and Unchoke are out. */
  onOpen?(session: PieceSession): void
  onRequest?(session: PieceSession, index: number): void
  onCancel?(session: PieceSession, index: number): void
}

/** The fields of a Handshake message. */
export interface HandshakeFields {
  contentId: Uint8Array
  pieceCount: number
  bitfield: Uint8Array
}

/**
 * How to answer a manifest request: NOT_FOUND; these bytes (whatever they hash to); nothing
 * at all, the stream held open; or OK with `size` announced, then `bytesPerSecond` random
 * bytes a second (one Chunk a second) until the requester hangs up.
 */
export type ManifestAnswer = { notFound: true } | { bytes: Uint8Array } | { silent: true } | { trickle: { size: number, bytesPerSecond: number } }
export type ManifestBehaviour = (contentId: Uint8Array) => ManifestAnswer

export interface HostilePeerInit {
  /** Speak piece exchange for content of this shape, misbehaving as `behaviour` says. */
  pieces?: { shape: ContentShape, behaviour: PieceBehaviour }
  /** Speak manifest exchange, answering as this says. */
  manifest?: ManifestBehaviour
  /**
   * Dial from (and listen on) this local IP address (any of 127.0.0.0/8 on loopback), so that
   * the node sees the peer at another address than its honest peers on 127.0.0.1. @default
   * the system's choice (listening on 127.0.0.1)
   */
  localAddress?: string
}

/**
 * A bare libp2p node of the kit (TCP, Noise, Yamux, identify), dialling from `localAddress`
 * when one is given and listening there too (127.0.0.1 without one) unless `listen` is false.
 * Every call makes a fresh identity.
 */
export async function bareNode (localAddress?: string, listen = true): Promise<Libp2p> {
  // @libp2p/tcp passes its dial options on to net.connect, which takes a local address
  const dialOpts = (localAddress === undefined ? {} : { localAddress }) as TCPSocketOptions
  // a node that dials us back, or bans us, must see the address we dial from, not the honest nodes' 127.0.0.1
  return await createLibp2p({
    addresses: { listen: listen ? [`/ip4/${localAddress ?? '127.0.0.1'}/tcp/0`] : [] },
    transports: [tcp({ dialOpts })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() }
  })
}

/**
 * A real libp2p node (TCP, Noise, Yamux, identify; no Shoal code above the codecs) that
 * speaks Shoal's wire protocols and misbehaves on purpose. The behaviour modules beside this
 * file say how; this base starts the node, speaks the handshake and counts what happened.
 */
export class HostilePeer {
  readonly stats: HostileStats = { handshakes: 0, pieceRequests: 0, piecesSent: 0, bytesSent: 0, rejectsSent: 0, manifestRequests: 0, streamsOpened: 0, streamsRefused: 0 }

  private constructor (readonly libp2p: Libp2p, private readonly init: HostilePeerInit) {}

  static async start (init: HostilePeerInit): Promise<HostilePeer> {
    const libp2p = await bareNode(init.localAddress)
    const peer = new HostilePeer(libp2p, init)
    if (init.pieces !== undefined) {
      const { shape, behaviour } = init.pieces
      await libp2p.handle(PIECE_EXCHANGE, (stream) => { peer.speakPieces(stream, shape, behaviour) }, { maxInboundStreams: 64 })
    }
    if (init.manifest !== undefined) {
      const answer = init.manifest
      await libp2p.handle(MANIFEST_EXCHANGE, (stream) => { peer.speakManifest(stream, answer) }, { maxInboundStreams: 8 })
    }
    return peer
  }

  get peerId (): string {
    return this.libp2p.peerId.toString()
  }

  /** Its listen address with /p2p/, for a Shoal node's bootstrap list. */
  get address (): string {
    return this.libp2p.getMultiaddrs()[0].toString()
  }

  /** Dial a Shoal node; rejects when the node refuses the connection. */
  async dial (address: string): Promise<void> {
    await this.libp2p.dial(multiaddr(address))
  }

  async stop (): Promise<void> {
    await this.libp2p.stop()
  }

  private speakPieces (stream: Stream, shape: ContentShape, behaviour: PieceBehaviour): void {
    let ended = false
    let pieceCount = 0
    const session: PieceSession = {
      stream,
      stats: this.stats,
      get pieceCount () { return pieceCount },
      get ended () { return ended },
      pieceLength: (index) => Math.min(shape.pieceSize, shape.size - index * shape.pieceSize),
      send: (message) => session.sendRaw(encodeFrame(Message.encode(message))),
      sendRaw: (bytes) => ended ? false : stream.send(bytes)
    }
    readFrames(stream, MAX_RUN + 64, {
      onFrame: (frame) => {
        const message = Message.decode(frame)
        if (message.handshake !== undefined) {
          this.stats.handshakes++
          pieceCount = message.handshake.pieceCount
          const ours = behaviour.handshake === undefined
            ? { contentId: message.handshake.contentId, pieceCount, bitfield: behaviour.bitfield?.(pieceCount) ?? fullBitfield(pieceCount) }
            : behaviour.handshake(message.handshake)
          if (ours === undefined) return
          session.send({ handshake: { contentId: ours.contentId as Uint8Array<ArrayBuffer>, pieceCount: ours.pieceCount, bitfield: ours.bitfield as Uint8Array<ArrayBuffer> } })
          // an upload slot at once: every exchange starts choked, and a hostile peer wants to be asked
          session.send({ unchoke: {} })
          behaviour.onOpen?.(session)
        } else if (message.request !== undefined) {
          this.stats.pieceRequests++
          behaviour.onRequest?.(session, message.request.index)
        } else if (message.cancel !== undefined) {
          behaviour.onCancel?.(session, message.cancel.index)
        }
      },
      onEnd: () => { ended = true }
    })
  }

  private speakManifest (stream: Stream, behaviour: ManifestBehaviour): void {
    let answered = false
    readFrames(stream, 1024, {
      onFrame: (frame) => {
        if (answered) return
        answered = true
        const request = Request.decode(frame)
        this.stats.manifestRequests++
        const answer = behaviour(request.contentId)
        if ('silent' in answer) return
        if ('trickle' in answer) {
          trickleManifest(stream, answer.trickle.size, answer.trickle.bytesPerSecond)
          return
        }
        if ('notFound' in answer) {
          stream.send(encodeFrame(Response.encode({ status: Status.NOT_FOUND, size: 0 })))
        } else {
          // with back-pressure: a 16 MiB manifest overflows the stream's write buffer otherwise
          void (async () => {
            stream.send(encodeFrame(Response.encode({ status: Status.OK, size: answer.bytes.byteLength })))
            for (let offset = 0; offset < answer.bytes.byteLength; offset += 16 * 1024) {
              if (!stream.send(encodeFrame(Chunk.encode({ data: answer.bytes.subarray(offset, offset + 16 * 1024) as Uint8Array<ArrayBuffer> })))) await waitForDrain(stream)
            }
            await stream.close()
          })().catch(err => { stream.abort(err) })
          return
        }
        stream.close().catch(err => { stream.abort(err) })
      },
      onEnd: () => {}
    })
  }
}

/** OK with `size` announced, then `bytesPerSecond` random bytes each second until the stream ends or `size` is sent. */
function trickleManifest (stream: Stream, size: number, bytesPerSecond: number): void {
  stream.send(encodeFrame(Response.encode({ status: Status.OK, size })))
  let sent = 0
  const timer = setInterval(() => {
    if (stream.status !== 'open' || sent >= size) {
      clearInterval(timer)
      return
    }
    const data = randomBytes(Math.min(bytesPerSecond, size - sent))
    sent += data.byteLength
    stream.send(encodeFrame(Chunk.encode({ data })))
  }, 1000)
  stream.addEventListener('close', () => { clearInterval(timer) })
}

/** Every piece set, most significant bit first, spare bits zero. */
export function fullBitfield (pieceCount: number): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(pieceCount / 8)).fill(0xff)
  const spare = bytes.byteLength * 8 - pieceCount
  if (spare > 0) bytes[bytes.byteLength - 1] = (0xff << spare) & 0xff
  return bytes
}

export function emptyBitfield (pieceCount: number): Uint8Array {
  return new Uint8Array(Math.ceil(pieceCount / 8))
}

/** A small deterministic PRNG (xorshift32): the same seed gives the same garbage. */
export function seededBytes (length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}
