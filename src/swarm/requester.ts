import type { PeerSession } from './peer-session.js'
import type { SwarmTuning } from './swarm-init.js'
import type { PieceLayout } from '../core/layout.js'
import type { PiecePicker } from '../core/piece-picker.js'
import type { TokenBucket } from '../utils/token-bucket.js'

export interface RequesterInit {
  /** The swarm's picker: asked what to request, told what was requested and released. */
  picker: PiecePicker
  layout: PieceLayout
  /** The swarm's peers (read only). */
  peers: ReadonlyMap<string, PeerSession>
  /** The node-wide download budget: requests are the download throttle. */
  rate: TokenBucket
  maxInflightBytesPerPeer: number
  tuning: Pick<SwarmTuning, 'firstWindowBytes' | 'requestQueueSeconds'>
  /** Whether the swarm still downloads. */
  downloading: () => boolean
  /** Pieces received wait for the disk: ask for no more (PieceIntake.backlogged). */
  backlogged: () => boolean
}

/**
 * The asking side of one swarm (libtorrent's request_a_block): keeps each peer's request
 * pipeline full, within a window sized to its rate and round trip, and within the download rate.
 */
export class Requester {
  private refillTimer?: NodeJS.Timeout
  /** Download budget reserved for the next request, and when the rate will have earned it. */
  private paid = 0
  private paidAt = 0

  constructor (private readonly init: RequesterInit) {}

  /** Keep the peer's request pipeline full, within its byte window and the download rate. */
  fill (session: PeerSession): void {
    if (!this.init.downloading() || session.closed || session.chokedBy || this.init.backlogged()) return
    const { picker, layout, rate } = this.init
    const window = this.window(session)
    const free = window - session.inflightBytes
    // refill in batches (a quarter of the window at a time): fewer, fuller request messages
    if (session.inflightBytes > 0 && free < window / 4) return
    const count = Math.max(1, Math.floor(free / layout.pieceSize))
    const now = Date.now()
    const skip = (i: number): boolean => session.isRequested(i) || session.refusedLately(i, now)
    for (const index of picker.pick(session.remoteHas, count, skip)) {
      if (!rate.unlimited && !this.paidFor(layout.pieceLength(index))) return
      picker.markRequested(index)
      session.request(index)
    }
  }

  /**
   * Whether the download budget has earned `bytes` by now, taking them if so. Pay first, ask
   * after: a piece's bytes come at once when asked for, so a piece is asked for only once the
   * rate has earned it (asked for first and paid after, a get of 8 pieces gained a whole piece's
   * time: 2 MiB at 128 KiB/s took 14 s, not 16). Otherwise the bytes are reserved and a refill
   * is set for when they are earned.
   */
  private paidFor (bytes: number): boolean {
    const now = performance.now()
    if (this.paid > 0 && this.paidAt > now) {
      this.fillLater(this.paidAt - now)
      return false
    }
    if (this.paid >= bytes) {
      this.paid -= bytes
      return true
    }
    const wait = this.init.rate.reserve(bytes - this.paid)
    this.paid = bytes
    this.paidAt = now + wait
    if (wait > 0) {
      this.fillLater(wait)
      return false
    }
    this.paid = 0
    return true
  }

  fillAll (): void {
    for (const session of this.init.peers.values()) this.fill(session)
  }

  /** A request ended without its piece: the picker may give it out again, and the download budget gets its bytes back. */
  release (index: number): void {
    this.init.picker.markReleased(index)
    this.init.rate.refund(this.init.layout.pieceLength(index))
  }

  stop (): void {
    clearTimeout(this.refillTimer)
    this.refillTimer = undefined
    // budget reserved for a request that will not go: other swarms may have it
    this.init.rate.refund(this.paid)
    this.paid = 0
  }

  /**
   * Bytes to keep requested from a peer: its recent rate times its round trip plus
   * `requestQueueSeconds`, within [one piece, maxInflightBytesPerPeer]; one piece while
   * it is snubbed.
   */
  private window (session: PeerSession): number {
    const { pieceSize } = this.init.layout
    const { firstWindowBytes, requestQueueSeconds } = this.init.tuning
    if (session.snubbed) return pieceSize
    const rate = session.downloadMeter.rate()
    const roundTrip = Number.isFinite(session.roundTripMs) ? session.roundTripMs / 1000 : 0
    const wanted = rate === 0 ? firstWindowBytes : rate * (roundTrip + requestQueueSeconds)
    return Math.max(pieceSize, Math.min(this.init.maxInflightBytesPerPeer, wanted))
  }

  private fillLater (ms: number): void {
    if (this.refillTimer !== undefined) return
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined
      this.fillAll()
    }, Math.ceil(ms))
    this.refillTimer.unref()
  }
}
