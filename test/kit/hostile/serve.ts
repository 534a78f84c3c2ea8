import { encodePieceRun } from '../../../protocols/piece-exchange/decoder.js'
import { waitForDrain } from '../../../src/utils/frames.js'
import { MAX_RUN } from './base.js'
import type { PieceSession } from './base.js'

export interface ServeOptions {
  /** The bytes sent for piece `index` (right length, whatever content). */
  bytesOf(index: number, length: number): Uint8Array
  /** Bytes per run (Piece header). @default 256 KiB, the limit */
  runSize?: number
  /** ms to wait before each run. @default 0 */
  delayMs?: number
  /** Drop cancelled requests from the queue. @default true */
  honourCancel?: boolean
}

/**
 * Answer requests in order, one piece at a time, in runs that follow the wire's rules (a
 * poisoner and a trickler break the rules of content and pace, not of framing).
 */
export function pieceServer (options: ServeOptions): { onRequest: (s: PieceSession, index: number) => void, onCancel: (s: PieceSession, index: number) => void } {
  const queue: number[] = []
  let sending = false
  const runSize = options.runSize ?? MAX_RUN
  const drain = async (session: PieceSession): Promise<void> => {
    sending = true
    try {
      while (!session.ended && queue.length > 0) {
        const index = queue.shift() as number
        const data = options.bytesOf(index, session.pieceLength(index))
        for (let offset = 0; offset < data.byteLength && !session.ended; offset += runSize) {
          if (options.delayMs !== undefined) await new Promise(resolve => setTimeout(resolve, options.delayMs))
          const run = data.subarray(offset, offset + runSize)
          if (!session.sendRaw(encodePieceRun(index, offset, run))) await waitForDrain(session.stream)
          session.stats.bytesSent += run.byteLength
        }
        session.stats.piecesSent++
      }
    } catch {
      // the Shoal node hung up on us: expected once it has had enough
    } finally {
      sending = false
    }
  }
  return {
    onRequest: (session, index) => {
      queue.push(index)
      if (!sending) void drain(session)
    },
    onCancel: (_session, index) => {
      if (options.honourCancel === false) return
      const at = queue.indexOf(index)
      if (at >= 0) queue.splice(at, 1)
    }
  }
}
