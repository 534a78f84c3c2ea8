import { randomBytes } from 'node:crypto'
import { pieceServer } from './serve.js'
import type { PieceBehaviour } from './base.js'

/**
 * The poisoner: announces every piece and answers every request at full speed with random
 * bytes of the right length. Well framed, so only verification catches it: each piece fails
 * its hash, and after `limits.maxBadPieces` the node bans it.
 */
export function poisoner (): PieceBehaviour {
  return pieceServer({ bytesOf: (_index, length) => randomBytes(length) })
}
