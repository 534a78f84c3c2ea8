/** Every fuzz target: run briefly by `npm test` (test/unit/fuzz) and at length by `npm run fuzz`. */
import { pieceFrames } from './piece-frames.js'
import type { FuzzTarget } from '../target.js'

export const targets: readonly FuzzTarget[] = [
  pieceFrames
]
