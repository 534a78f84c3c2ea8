import { multiaddr } from '@multiformats/multiaddr'
import { Message } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { parseContentId } from '../../../src/core/content-id.js'
import { encodeFrame, waitForDrain } from '../../../src/utils/frames.js'
import { readFrames } from '../../integration/helpers/read-frames.js'
import { MAX_RUN, PIECE_EXCHANGE, emptyBitfield } from './base.js'
import type { HostilePeer } from './base.js'
import type { Stream } from '@libp2p/interface'

export interface NonReaderOptions {
  /** Requests sent once unchoked (pieces `from`, `from` + 1, ...). @default every piece */
  requests?: number
  /** The first piece it asks for. @default 0 */
  from?: number
  /**
   * Requests a second it goes on sending once it has stopped reading (round robin over every
   * piece; with its queue full or itself choked, each one costs the seeder a refusal it has
   * nowhere to send). @default 0
   */
  floodPerSecond?: number
}

/** A non-reader at work: what it did, and how to stop it. */
export interface NonReading {
  readonly stream: Stream
  /** Requests it sent (the first batch and the flood). */
  readonly requestsSent: number
  /** The seeder hung up on it (reset or closed the stream). */
  readonly ended: boolean
  /** Stop flooding (the stream stays open and unread). */
  stop(): void
}

/**
 * The non-reader: a leecher that dials a seeder, handshakes for `contentId` with an empty
 * bitfield, reads until the seeder unchokes it, asks for pieces, and from then on never reads
 * a byte (its Yamux receive window stays shut, so whatever the seeder sends it stays queued on
 * the seeder). With `floodPerSecond` it keeps asking. Resolves once it has stopped reading.
 * The seeder must choke it and give its upload slot to someone else, drop it if it persists,
 * and hold no more than a bounded number of bytes for it meanwhile.
 */
export async function stopReading (peer: HostilePeer, target: string, contentId: string, pieceCount: number, options: NonReaderOptions = {}): Promise<NonReading> {
  const stream = await peer.libp2p.dialProtocol(multiaddr(target), PIECE_EXCHANGE, { signal: AbortSignal.timeout(10_000) })
  const state = { requestsSent: 0, ended: false, flooding: true }
  const send = (message: Message): boolean => state.ended ? false : stream.send(encodeFrame(Message.encode(message)))
  const unchoked = new Promise<void>((resolve, reject) => {
    readFrames(stream, MAX_RUN + 64, {
      onFrame: (frame) => {
        if (Message.decode(frame).unchoke !== undefined) {
          // not one byte more: the window the seeder may fill stays at what it is now
          stream.pause()
          resolve()
        }
      },
      onEnd: (err) => {
        state.ended = true
        reject(err ?? new Error('the seeder closed the stream before unchoking the non-reader'))
      }
    })
  })
  unchoked.catch(() => {})
  send({ handshake: { contentId: parseContentId(contentId).bytes as Uint8Array<ArrayBuffer>, pieceCount, bitfield: emptyBitfield(pieceCount) as Uint8Array<ArrayBuffer> } })
  await unchoked
  peer.stats.handshakes++
  const from = options.from ?? 0
  for (let n = 0; n < Math.min(pieceCount, options.requests ?? pieceCount); n++) {
    send({ request: { index: (from + n) % pieceCount } })
    state.requestsSent++
  }
  if ((options.floodPerSecond ?? 0) > 0) void flood(stream, pieceCount, options.floodPerSecond ?? 0, state, send)
  return {
    stream,
    get requestsSent () { return state.requestsSent },
    get ended () { return state.ended },
    stop: () => { state.flooding = false }
  }
}

/** Requests at `perSecond`, in batches every 50 ms, with back-pressure on our own side. */
async function flood (stream: Stream, pieceCount: number, perSecond: number, state: { requestsSent: number, ended: boolean, flooding: boolean }, send: (m: Message) => boolean): Promise<void> {
  const batch = Math.max(1, Math.round(perSecond / 20))
  let index = 0
  try {
    while (state.flooding && !state.ended && stream.writeStatus === 'writable') {
      let more = true
      for (let n = 0; n < batch; n++) {
        more = send({ request: { index } })
        state.requestsSent++
        index = (index + 1) % pieceCount
      }
      if (!more) await waitForDrain(stream)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
  } catch {
    // the seeder hung up: what it should do, sooner or later
  }
}
