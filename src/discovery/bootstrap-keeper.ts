import { DISCOVERY } from '../config/defaults.js'
import type { Logger } from '@libp2p/interface'

/** Back-off of the dials: see DISCOVERY.bootstrap. */
const { firstCheck, firstRetry, maxRetry } = DISCOVERY.bootstrap

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

interface PeerState { retryAt: number, pause: number, dialing: boolean }

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
    for (const peer of init.peers) this.state.set(peer, { retryAt: this.now() + firstCheck, pause: firstRetry, dialing: false })
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
        // seen connected: if it drops, dial again soon
        state.pause = firstRetry
        state.retryAt = now + firstRetry
        continue
      }
      if (state.dialing || now < state.retryAt) continue
      state.dialing = true
      this.init.dial(peer, this.controller.signal)
        .catch((err) => { this.init.log('bootstrap peer %s not reached - %e', peer, err) })
        .finally(() => {
          // after any dial, wait longer next time: the back-off resets only once a check
          // sees the peer connected (above), not on a dial it accepts and then hangs up
          state.dialing = false
          state.pause = Math.min(state.pause * 2, maxRetry)
          state.retryAt = this.now() + state.pause
        })
    }
  }
}
