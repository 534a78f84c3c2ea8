import { verifyPieceWith } from '../core/piece-hash.js'
import { DownloadTimeoutError, StorageError } from '../errors.js'
import type { SwarmEvents } from './events.js'
import type { StreamCursor } from './stream-priorities.js'
import type { Swarm } from './swarm.js'
import type { TypedEventTarget } from 'main-event'

export interface VerifiedReadInit {
  swarm: Swarm
  /** The registry's events: a piece verified, a swarm closed. */
  events: TypedEventTarget<SwarmEvents>
  /** This reader's place in the swarm's stream priorities. */
  cursor: StreamCursor
  /** ms to wait for one piece before giving up. */
  pieceWaitMs: number
}

/** How often a waiting reader looks at the swarm anyway (a state change sends no piece event). */
const RECHECK_MS = 500

/**
 * Bytes [start, end) of the content (offsets over all its files), in order, each piece only
 * once it is verified and stored, then read back and hashed again (a file changed on disk must
 * not leak either). While it waits, the cursor puts the pieces it needs first.
 */
export async function * readVerified (init: VerifiedReadInit, start: number, end: number, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  const { swarm, cursor } = init
  if (end <= start) return
  const pieceSize = swarm.layout.pieceSize
  const last = Math.floor((end - 1) / pieceSize)
  // the next piece, when it is here already, is read and hashed while this one is written out
  let next: Promise<Uint8Array> | undefined
  try {
    for (let index = Math.floor(start / pieceSize); index <= last; index++) {
      cursor.moveTo(index, last)
      if (next === undefined) await waitForPiece(init, index, signal)
      const piece = await (next ?? readChecked(swarm, index))
      next = index < last && swarm.hasPiece(index + 1) ? readChecked(swarm, index + 1) : undefined
      // a reader that leaves early leaves that read behind: its failure is nobody's
      next?.catch(() => {})
      const offset = index * pieceSize
      yield piece.subarray(Math.max(0, start - offset), Math.min(piece.byteLength, end - offset))
    }
  } finally {
    cursor.close()
  }
}

/**
 * A verified piece read back from the store and hashed again (a file changed on disk must not
 * leak), where the swarm hashes (off the event loop at speed).
 */
async function readChecked (swarm: Swarm, index: number): Promise<Uint8Array> {
  const { good, piece } = await verifyPieceWith(swarm.hashing, swarm.manifest, index, await swarm.readPiece(index))
  if (!good) throw new StorageError(`piece ${index} of ${swarm.contentId} changed on disk`)
  return piece
}

/** Resolves once piece `index` is verified here; rejects if the swarm stops trading, on abort, or after pieceWaitMs. */
async function waitForPiece (init: VerifiedReadInit, index: number, signal: AbortSignal): Promise<void> {
  const { swarm, events } = init
  signal.throwIfAborted()
  if (swarm.hasPiece(index)) return
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (swarm.hasPiece(index)) done()
      else if (swarm.state !== 'downloading' && swarm.state !== 'partial') done(new StorageError(`the swarm of ${swarm.contentId} is ${swarm.state}`))
    }
    const onPiece = (evt: SwarmEvents['swarm:piece-verified']): void => {
      if (evt.detail.contentId === swarm.contentId && evt.detail.index === index) done()
    }
    const onRemoved = (evt: SwarmEvents['swarm:removed']): void => {
      if (evt.detail.contentId === swarm.contentId) done(new StorageError(`the swarm of ${swarm.contentId} closed`))
    }
    const onAbort = (): void => { done(signal.reason as Error) }
    const timer = setInterval(check, RECHECK_MS)
    const deadline = setTimeout(() => { done(new DownloadTimeoutError(`piece ${index} of ${swarm.contentId} did not arrive within ${init.pieceWaitMs} ms`)) }, init.pieceWaitMs)
    const done = (err?: Error): void => {
      clearInterval(timer)
      clearTimeout(deadline)
      events.removeEventListener('swarm:piece-verified', onPiece)
      events.removeEventListener('swarm:removed', onRemoved)
      signal.removeEventListener('abort', onAbort)
      if (err === undefined) resolve()
      else reject(err)
    }
    events.addEventListener('swarm:piece-verified', onPiece)
    events.addEventListener('swarm:removed', onRemoved)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}
