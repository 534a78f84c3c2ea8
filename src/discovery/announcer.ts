import { DISCOVERY } from '../config/defaults.js'
import type { ContentRouting, Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface AnnouncerInit {
  contentRouting: ContentRouting
  /** How many peers we are connected to now: an announcement made to nobody is made again later. */
  peerCount(): number
  log: Logger
  /** ms a provide may take. @default DISCOVERY.announce.provideTimeout */
  provideTimeout?: number
  /** ms between re-announcements of everything (provider records expire on the DHT). @default DISCOVERY.announce.reannounceInterval */
  reannounceInterval?: number
}

interface Announcement {
  cid: CID
  at: number
  /** Peers connected when it was last announced; 0 means it only reached our own records. */
  reach: number
  running: boolean
}

/**
 * Provides content ids on the DHT in the background, so `add` never waits on the network.
 * What was announced while alone is announced again when peers arrive; everything is
 * announced again periodically.
 */
export class Announcer {
  private readonly init: AnnouncerInit
  private readonly announcements = new Map<string, Announcement>()
  private timer?: NodeJS.Timeout
  private stopped = false
  private readonly controller = new AbortController()

  constructor (init: AnnouncerInit) {
    this.init = init
  }

  start (): void {
    this.timer = setInterval(() => { this.announceAll(true) }, this.init.reannounceInterval ?? DISCOVERY.announce.reannounceInterval)
    this.timer.unref()
  }

  stop (): void {
    this.stopped = true
    clearInterval(this.timer)
    this.controller.abort()
  }

  provide (cid: CID): void {
    const key = cid.toString()
    if (!this.announcements.has(key)) this.announcements.set(key, { cid, at: 0, reach: 0, running: false })
    this.announce(this.announcements.get(key) as Announcement)
  }

  withdraw (cid: CID): void {
    this.announcements.delete(cid.toString())
  }

  /** A peer connected: anything announced to nobody gets another try. */
  onPeerConnected (): void {
    this.announceAll(false)
  }

  private announceAll (everything: boolean): void {
    for (const a of this.announcements.values()) if (everything || a.reach === 0) this.announce(a)
  }

  private announce (a: Announcement): void {
    if (a.running || this.stopped) return
    a.running = true
    const reach = this.init.peerCount()
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.init.provideTimeout ?? DISCOVERY.announce.provideTimeout)])
    this.init.contentRouting.provide(a.cid, { signal })
      .then(() => {
        a.at = Date.now()
        a.reach = reach
        this.init.log('provided %c to the DHT (%d peers connected)', a.cid, reach)
      }, (err) => { this.init.log('provide %c failed - %e', a.cid, err) })
      .finally(() => { a.running = false })
  }
}
