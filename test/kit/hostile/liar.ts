import { RejectCode } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { emptyBitfield, fullBitfield } from './base.js'
import type { PieceBehaviour } from './base.js'

export interface LiarOptions {
  /**
   * How it claims pieces it lacks: 'bitfield' = a full bitfield in its handshake; 'have' =
   * an empty bitfield, then a Have for every piece. @default 'bitfield'
   */
  announce?: 'bitfield' | 'have'
  /**
   * What it does with requests: 'reject' = Reject NOT_AVAILABLE (a protocol violation for
   * a piece it announced: the node scores it and bans it after SCORING.maxFalseClaims);
   * 'ignore' = never answer (as a staller: the node snubs it and asks others). @default 'reject'
   */
  answer?: 'reject' | 'ignore'
}

/** The liar: claims every piece, has none. */
export function liar (options: LiarOptions = {}): PieceBehaviour {
  const announce = options.announce ?? 'bitfield'
  return {
    bitfield: (n) => announce === 'bitfield' ? fullBitfield(n) : emptyBitfield(n),
    onOpen: (session) => {
      if (announce !== 'have') return
      for (let index = 0; index < session.pieceCount; index++) session.send({ have: { index } })
    },
    onRequest: (session, index) => {
      if (options.answer === 'ignore') return
      session.stats.rejectsSent++
      session.send({ reject: { index, code: RejectCode.NOT_AVAILABLE } })
    }
  }
}
