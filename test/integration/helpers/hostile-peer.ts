import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { randomBytes } from 'node:crypto'
import { Chunk, Request, Response, Status } from '../../../protocols/manifest-exchange/pb/manifest-exchange.js'
import { encodePieceRun } from '../../../protocols/piece-exchange/decoder.js'
import { Message } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { encodeFrame, waitForDrain } from '../../../src/utils/frames.js'
import { readFrames } from './read-frames.js'
import type { Libp2p, Stream } from '@libp2p/interface'

export const PIECE_EXCHANGE = '/shoal/piece-exchange/1.0.0'
export const MANIFEST_EXCHANGE = '/shoal/manifest-exchange/1.0.0'
const FRAME_DATA = 256 * 1024

export interface HostilePeerInit {
  /**
   * Speak piece exchange for content of this shape: answer any handshake with a full
   * bitfield and an unchoke, and every request with random bytes of the right length.
   */
  poison?: { size: number, pieceSize: number }
  /** With `poison`: accept every request and never answer it (a staller). */
  stall?: boolean
  /**
   * Speak manifest exchange: 'not-found' answers NOT_FOUND; 'forge' answers OK with
   * `forgedSize` random bytes, which cannot hash to the asked content id.
   */
  manifest?: 'not-found' | 'forge'
  forgedSize?: number
}

/**
 * A real libp2p node (TCP, Noise, Yamux, identify; no Shoal code above the codecs) that
 * speaks Shoal's wire protocols with lies. Counts what it was asked, for assertions.
 */
export class HostilePeer {
  readonly stats = { handshakes: 0, pieceRequests: 0, piecesSent: 0, manifestRequests: 0 }

  private constructor (readonly libp2p: Libp2p, private readonly init: HostilePeerInit) {}

  static async start (init: HostilePeerInit): Promise<HostilePeer> {
    const libp2p = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify() }
    })
    const peer = new HostilePeer(libp2p, init)
    if (init.poison !== undefined) {
      await libp2p.handle(PIECE_EXCHANGE, (stream) => { peer.poison(stream) }, { maxInboundStreams: 64 })
    }
    if (init.manifest !== undefined) {
      await libp2p.handle(MANIFEST_EXCHANGE, (stream) => { peer.manifest(stream) }, { maxInboundStreams: 8 })
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

  private poison (stream: Stream): void {
    const { size, pieceSize } = this.init.poison as { size: number, pieceSize: number }
    const pieceLength = (index: number): number => Math.min(pieceSize, size - index * pieceSize)
    const queue: number[] = []
    let sending = false
    let ended = false
    const send = (message: Message): boolean => stream.send(encodeFrame(Message.encode(message)))
    const drain = async (): Promise<void> => {
      sending = true
      try {
        while (!ended && queue.length > 0) {
          const index = queue.shift() as number
          const data = randomBytes(pieceLength(index))
          for (let offset = 0; offset < data.byteLength && !ended; offset += FRAME_DATA) {
            const chunk = data.subarray(offset, offset + FRAME_DATA)
            if (!stream.send(encodePieceRun(index, offset, chunk))) await waitForDrain(stream)
          }
          this.stats.piecesSent++
        }
      } catch {
        // the Shoal node hung up on us: expected once it has had enough
      } finally {
        sending = false
      }
    }
    readFrames(stream, FRAME_DATA + 64, {
      onFrame: (frame) => {
        const message = Message.decode(frame)
        if (message.handshake !== undefined) {
          this.stats.handshakes++
          const { contentId, pieceCount } = message.handshake
          send({ handshake: { contentId, pieceCount, bitfield: fullBitfield(pieceCount) } })
          // an upload slot at once: a poisoner wants to be asked
          send({ unchoke: {} })
        } else if (message.request !== undefined) {
          this.stats.pieceRequests++
          if (this.init.stall === true) return
          queue.push(message.request.index)
          if (!sending) void drain()
        } else if (message.cancel !== undefined) {
          const at = queue.indexOf(message.cancel.index)
          if (at >= 0) queue.splice(at, 1)
        }
      },
      onEnd: () => { ended = true }
    })
  }

  private manifest (stream: Stream): void {
    let answered = false
    readFrames(stream, 1024, {
      onFrame: (frame) => {
        if (answered) return
        answered = true
        Request.decode(frame)
        this.stats.manifestRequests++
        if (this.init.manifest === 'forge') {
          const forged = randomBytes(this.init.forgedSize ?? 1000)
          stream.send(encodeFrame(Response.encode({ status: Status.OK, size: forged.byteLength })))
          stream.send(encodeFrame(Chunk.encode({ data: forged as Uint8Array<ArrayBuffer> })))
        } else {
          stream.send(encodeFrame(Response.encode({ status: Status.NOT_FOUND, size: 0 })))
        }
        stream.close().catch(err => { stream.abort(err) })
      },
      onEnd: () => {}
    })
  }
}

/** Every piece set, most significant bit first, spare bits zero. */
function fullBitfield (pieceCount: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(Math.ceil(pieceCount / 8)).fill(0xff)
  const spare = bytes.byteLength * 8 - pieceCount
  if (spare > 0) bytes[bytes.byteLength - 1] = (0xff << spare) & 0xff
  return bytes
}
