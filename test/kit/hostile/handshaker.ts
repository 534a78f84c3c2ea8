import { multiaddr } from '@multiformats/multiaddr'
import { Message } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { encodeFrame } from '../../../src/utils/frames.js'
import { readFrames } from '../../integration/helpers/read-frames.js'
import { PIECE_EXCHANGE, fullBitfield } from './base.js'
import type { HandshakeFields, HostilePeer, PieceBehaviour } from './base.js'

/**
 * How a handshake is wrong: a bitfield one byte short or long, a bit set past the last
 * piece, another piece count, another content id; or no answer at all ('silent').
 */
export type BadHandshakeKind = 'short-bitfield' | 'long-bitfield' | 'spare-bits' | 'piece-count' | 'content-id' | 'silent'

export const BAD_BITFIELDS: readonly BadHandshakeKind[] = ['short-bitfield', 'long-bitfield', 'spare-bits']

/** A handshake for `theirs`'s content, made wrong as `kind` says (undefined: 'silent'). */
export function badHandshakeFor (theirs: HandshakeFields, kind: BadHandshakeKind): HandshakeFields | undefined {
  const { contentId, pieceCount } = theirs
  const full = fullBitfield(pieceCount)
  switch (kind) {
    case 'short-bitfield': return { contentId, pieceCount, bitfield: full.subarray(0, full.byteLength - 1) }
    case 'long-bitfield': return { contentId, pieceCount, bitfield: Uint8Array.from([...full, 0xff]) }
    case 'spare-bits': {
      if (pieceCount % 8 === 0) throw new Error('spare-bits needs a piece count that is not a multiple of 8')
      return { contentId, pieceCount, bitfield: Uint8Array.from(full, (b, i) => i === full.byteLength - 1 ? 0xff : b) }
    }
    case 'piece-count': return { contentId, pieceCount: pieceCount + 1, bitfield: fullBitfield(pieceCount + 1) }
    case 'content-id': return { contentId: Uint8Array.from(contentId, (b, i) => i === contentId.byteLength - 1 ? b ^ 1 : b), pieceCount, bitfield: full }
    case 'silent': return undefined
  }
}

/**
 * The bad handshaker: answers a node's piece-exchange handshake wrongly (see
 * BadHandshakeKind). The node's connect must settle at once (within `timeouts.handshake`
 * when silent), the peer be banned for a breach, and the node go on dialling others.
 */
export function badHandshake (kind: BadHandshakeKind): PieceBehaviour {
  return { handshake: (theirs) => badHandshakeFor(theirs, kind) }
}

/**
 * Dial `target` (a node's address) and open a piece exchange with a bad handshake of our
 * own for content it has (`contentId`, `pieceCount`). Resolves with how the stream ended:
 * the node must end it as a breach and ban us, as it does a bad answer.
 */
export async function dialWithBadHandshake (peer: HostilePeer, target: string, content: { contentId: Uint8Array, pieceCount: number }, kind: Exclude<BadHandshakeKind, 'silent'>): Promise<Error | undefined> {
  const stream = await peer.libp2p.dialProtocol(multiaddr(target), PIECE_EXCHANGE)
  const honest = { ...content, bitfield: new Uint8Array(Math.ceil(content.pieceCount / 8)) }
  const ours = badHandshakeFor(honest, kind) as HandshakeFields
  peer.stats.handshakes++
  return await new Promise(resolve => {
    readFrames(stream, 1024 * 1024, { onFrame: () => {}, onEnd: resolve })
    stream.send(encodeFrame(Message.encode({ handshake: { contentId: ours.contentId as Uint8Array<ArrayBuffer>, pieceCount: ours.pieceCount, bitfield: ours.bitfield as Uint8Array<ArrayBuffer> } })))
  })
}
