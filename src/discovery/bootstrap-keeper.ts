import { DISCOVERY } from '../config/defaults.js'
import { dialFailureOf, mostTelling } from './dial-failure.js'
import type { DialFailure } from './dial-failure.js'
import type { Logger } from '@libp2p/interface'

/** Back-off of the dials: see DISCOVERY.bootstrap. */
const { firstCheck, firstRetry, maxRetry, stableAfter } = DISCOVERY.bootstrap

export interface BootstrapKeeperInit {
  /** Peer ids of the configured bootstrap peers. */
  peers: readonly string[]
  isConnected(peer: string): boolean
  /** Dial `peer` at its configured address; rejects when it cannot be reached or refuses. */
  dial(peer: string, signal: AbortSignal): Promise<void>
  log: Logger
  /** Clock, injectable for tests. @default Date.now */
  now?: () => number
}

interface PeerState {
  retryAt: number
  pause: number
  dialing: boolean
  /** When its last dial by the keeper ended. */
  settledAt: number
  /** Since when a check has seen it connected, while it is. */
  connectedSince?: number
  /** The keeper's dials to it that failed, and why the last one did. */
  failures: number
  lastFailure?: DialFailure
}

/** What the keeper's dials to the bootstrap peers have come to (for a get that finds nobody). */
export interface BootstrapDials {
  peers: number
  connected: number
  /** Dials that failed since start, all peers together; the most telling reason among each peer's last. */
  failedDials: number
  lastFailure?: DialFailure
}

/**
 * libp2p's bootstrap module dials each bootstrap peer once, at start. A node whose first dial
 * failed (the peer was not up yet, or refused a burst of connections) would stay alone, so
 * the keeper dials again whichever bootstrap peer is not connected, backing off per peer.
 */
export class BootstrapKeeper {
  private readonly init: BootstrapKeeperInit
  private readonly state = new Map<string, PeerState>()
  private readonly controller = new AbortController()
  private readonly now: () => number
  private timer?: NodeJS.Timeout

  constructor (init: BootstrapKeeperInit) {
    this.init = init
    this.now = init.now ?? Date.now
    // the bootstrap module makes the first dial: the keeper starts after a pause
    for (const peer of init.peers) this.state.set(peer, { retryAt: this.now() + firstCheck, pause: firstRetry, dialing: false, settledAt: -Infinity, failures: 0 })
  }

  start (): void {
    if (this.init.peers.length === 0) return
    this.timer = setInterval(() => { this.check() }, firstRetry)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
    this.controller.abort()
  }

  /** Dial every bootstrap peer that is not connected and whose back-off has run out. */
  check (): void {
    const now = this.now()
    for (const [peer, state] of this.state) {
      if (this.init.isConnected(peer)) {
        // connected for long enough: if it drops, dial again soon
        state.connectedSince ??= now
        if (now - state.connectedSince >= stableAfter) {
          state.pause = firstRetry
          state.retryAt = now + firstRetry
        }
        continue
      }
      state.connectedSince = undefined
      if (state.dialing || now < state.retryAt) continue
      this.dial(peer, state)
    }
  }

  /**
   * The node is alone while a get searches: dial every bootstrap peer that is not connected
   * now, whatever its back-off (which may have grown to a minute), but each at most once per
   * `firstRetry`, as a search asks on every pass.
   */
  dialNow (): void {
    const now = this.now()
    for (const [peer, state] of this.state) {
      if (state.dialing || this.init.isConnected(peer) || now - state.settledAt < firstRetry) continue
      this.dial(peer, state)
    }
  }

  report (): BootstrapDials {
    let connected = 0
    let failedDials = 0
    const reasons: DialFailure[] = []
    for (const [peer, state] of this.state) {
      if (this.init.isConnected(peer)) connected++
      failedDials += state.failures
      if (state.lastFailure !== undefined) reasons.push(state.lastFailure)
    }
    return { peers: this.state.size, connected, failedDials, ...(reasons.length === 0 ? {} : { lastFailure: mostTelling(reasons) }) }
  }

  private dial (peer: string, state: PeerState): void {
    if (this.controller.signal.aborted) return
    state.dialing = true
    this.init.dial(peer, this.controller.signal)
      .then(() => { state.lastFailure = undefined }, (err) => {
        state.failures++
        state.lastFailure = dialFailureOf(err)
        this.init.log('bootstrap peer %s not reached - %e', peer, err)
      })
      .finally(() => {
        // after any dial, wait longer next time: the back-off resets only once checks have
        // seen the peer connected for `stableAfter` (above), not on a dial it accepts and then hangs up
        state.dialing = false
        state.settledAt = this.now()
        state.pause = Math.min(state.pause * 2, maxRetry)
        state.retryAt = this.now() + state.pause
      })
  }
}
