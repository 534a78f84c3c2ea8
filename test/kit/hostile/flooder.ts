import { multiaddr } from '@multiformats/multiaddr'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { encodePieceRun } from '../../../protocols/piece-exchange/decoder.js'
import { waitForDrain } from '../../../src/utils/frames.js'
import { Message } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { MAX_CONTROL_FRAME, MAX_RUN, PIECE_EXCHANGE, seededBytes } from './base.js'
import type { HostilePeer, PieceBehaviour, PieceSession } from './base.js'
import type { Stream } from '@libp2p/interface'

/**
 * What a flooder sends once the handshake is done (each one a protocol violation the node
 * must catch before it allocates: it resets the stream and bans the peer):
 * - 'oversized-frame': a frame of 64 KiB + 1 bytes, one over the control-frame limit;
 * - 'huge-length-prefix': a varint length prefix of 2^40 bytes, and nothing after it;
 * - 'garbage': 1 MiB of (seeded) random bytes;
 * - 'unrequested-pieces': maximum-size (256 KiB) piece runs for pieces nobody asked for;
 * and one made of valid frames, which the node answers until it counts a flood (SCORING.maxChokedRequests):
 * - 'max-size-frames': 128 frames of exactly 64 KiB (8 MiB), each a valid Request padded
 *   with an unknown field (decoders skip unknown fields), asked while choked.
 */
export type FloodMode = 'oversized-frame' | 'huge-length-prefix' | 'garbage' | 'unrequested-pieces' | 'max-size-frames'

/** The flooder as a piece-exchange peer: handshakes properly, then floods as `mode` says. */
export function flooder (mode: FloodMode, seed = 1): PieceBehaviour {
  return { onOpen: (session) => { flood(session, mode, seed) } }
}

function flood (session: PieceSession, mode: FloodMode, seed: number): void {
  if (mode === 'oversized-frame') {
    session.sendRaw(new Uint8ArrayList(varint.encode(MAX_CONTROL_FRAME + 1), seededBytes(MAX_CONTROL_FRAME + 1, seed)))
  } else if (mode === 'huge-length-prefix') {
    session.sendRaw(varint.encode(2 ** 40))
  } else if (mode === 'max-size-frames') {
    void sendMaxSizeFrames(session, 128)
  } else if (mode === 'garbage') {
    session.sendRaw(seededBytes(1024 * 1024, seed))
  } else {
    // a run of every piece from the last one down, none of them requested (yet)
    const run = seededBytes(MAX_RUN, seed)
    for (let index = session.pieceCount - 1; index >= 0 && !session.ended; index--) {
      session.sendRaw(encodePieceRun(index, 0, run.subarray(0, Math.min(MAX_RUN, session.pieceLength(index)))))
    }
  }
}

/** `count` valid Requests, each padded to a frame of exactly MAX_CONTROL_FRAME bytes, with backpressure. */
async function sendMaxSizeFrames (session: PieceSession, count: number): Promise<void> {
  for (let n = 0; n < count && !session.ended; n++) {
    const request = Message.encode({ request: { index: n % session.pieceCount } })
    // an unknown length-delimited field (number 15) fills the frame up to the limit
    let padding = MAX_CONTROL_FRAME - request.byteLength - 1
    padding -= varint.encodingLength(padding)
    const frame = new Uint8ArrayList(request, Uint8Array.of((15 << 3) | 2), varint.encode(padding), new Uint8Array(padding))
    if (frame.byteLength !== MAX_CONTROL_FRAME) throw new RangeError(`frame of ${frame.byteLength} bytes`)
    if (!session.sendRaw(new Uint8ArrayList(varint.encode(frame.byteLength), frame))) await waitForDrain(session.stream).catch(() => {})
  }
}

export interface StreamFloodOptions {
  /** Streams to open in all. */
  streams: number
  /**
   * What each stream carries: 'nothing' (held open, as a slowloris), 'unknown-content' (a
   * handshake for content the node lacks), or 'garbage' (random bytes in place of a
   * handshake: a violation on an inbound stream, so the node bans the flooder). @default 'nothing'
   */
  payload?: 'nothing' | 'unknown-content' | 'garbage'
  /** Streams opened at once. @default 16 */
  concurrency?: number
  signal?: AbortSignal
}

/**
 * The stream flooder: dial a Shoal node and open piece-exchange streams in a loop. libp2p's
 * per-protocol `maxInboundStreams` and the handshake timeout must bound what the node holds.
 * Counts streams opened and refused in the peer's stats; returns the streams still open.
 */
export async function floodStreams (peer: HostilePeer, target: string, options: StreamFloodOptions): Promise<Stream[]> {
  const open: Stream[] = []
  const connection = await peer.libp2p.dial(multiaddr(target), { signal: options.signal })
  let next = 0
  const openUpTo = async (limit: number): Promise<void> => {
    while (next < limit && options.signal?.aborted !== true) {
      const n = next++
      try {
        const stream = await connection.newStream(PIECE_EXCHANGE, { signal: options.signal ?? AbortSignal.timeout(5000) })
        peer.stats.streamsOpened++
        stream.addEventListener('close', (evt) => { if (evt.error !== undefined) peer.stats.streamsRefused++ })
        sendPayload(stream, options.payload ?? 'nothing', n)
        open.push(stream)
      } catch {
        peer.stats.streamsRefused++
        if (connection.status !== 'open') return
      }
    }
  }
  // one stream first: its negotiation ends once the node's side of the connection is up (the
  // dial returns once ours is); streams opened before that would meet yamux's limit of early
  // streams, which resets the connection's streams rather than testing the node's limits
  await openUpTo(Math.min(1, options.streams))
  await Promise.all(Array.from({ length: options.concurrency ?? 16 }, async () => { await openUpTo(options.streams) }))
  return open.filter(s => s.status === 'open')
}

function sendPayload (stream: Stream, payload: 'nothing' | 'unknown-content' | 'garbage', n: number): void {
  if (payload === 'garbage') {
    stream.send(seededBytes(4096, n + 1))
  } else if (payload === 'unknown-content') {
    // a raw CID of 36 random bytes: decodes as nothing the node has
    const bytes = Message.encode({ handshake: { contentId: seededBytes(36, n + 1) as Uint8Array<ArrayBuffer>, pieceCount: 1, bitfield: new Uint8Array(1) as Uint8Array<ArrayBuffer> } })
    stream.send(new Uint8ArrayList(varint.encode(bytes.byteLength), bytes))
  }
}
