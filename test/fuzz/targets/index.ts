/** Every fuzz target: run briefly by `npm test` (test/unit/fuzz) and at length by `npm run fuzz`. */
import { apiTarget } from './api.js'
import { configTarget } from './config.js'
import { contentIdTarget } from './content-id.js'
import { manifestTarget } from './manifest.js'
import { manifestExchangeTarget } from './manifest-exchange.js'
import { pieceFrames } from './piece-frames.js'
import { pieceWire } from './piece-wire.js'
import { ticketTarget } from './ticket.js'
import type { FuzzTarget } from '../target.js'

export const targets: readonly FuzzTarget[] = [
  pieceFrames,
  pieceWire,
  manifestTarget,
  configTarget,
  contentIdTarget,
  manifestExchangeTarget,
  apiTarget,
  ticketTarget
]
