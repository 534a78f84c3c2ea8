import { randomBytes } from 'node:crypto'
import { pieceServer } from './serve.js'
import type { PieceBehaviour } from './base.js'

export interface StallerOptions {
  /**
   * 'silent' = accepts every request and never answers; 'trickle' = answers with
   * `bytesPerSecond` bytes a second (runs of that size, one a second), never cancelling:
   * slow enough to be useless, fast enough never to look silent. @default 'silent'
   */
  mode?: 'silent' | 'trickle'
  /** @default 1 */
  bytesPerSecond?: number
}

/**
 * The staller: announces every piece, unchokes, then holds requests. The node must not wait
 * on it: a silent one is snubbed (its requests go to others), a trickler's slow requests are
 * given to others after `timeouts.request`, and either is banned after SCORING.maxStalls.
 */
export function staller (options: StallerOptions = {}): PieceBehaviour {
  if (options.mode !== 'trickle') return { onRequest: () => {} }
  const rate = options.bytesPerSecond ?? 1
  return pieceServer({ bytesOf: (_index, length) => randomBytes(length), runSize: rate, delayMs: 1000, honourCancel: false })
}
