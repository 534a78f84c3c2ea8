/** ms a download waits to be announced (DISCOVERY.announce says why it waits at all). */
export interface AnnouncementDelays {
  /** From its first verified piece, plus up to half again at random. */
  partial: number
  /** Up to this long at random once its completion is on record. */
  complete: number
}

/**
 * When a download is announced on the DHT: a while after its first verified piece, or soon
 * after its completion if that comes first; both at random within their delay, so a crowd
 * that started (or finished) together does not walk the DHT at once. Announced once either
 * way; the announcer re-announces from then on.
 */
export class DownloadAnnouncement {
  private timer?: NodeJS.Timeout
  private dueAt = Number.POSITIVE_INFINITY
  private announced = false

  constructor (private readonly announce: () => void, private readonly delays: AnnouncementDelays) {}

  /** The first verified piece: from now on the download has something to give. */
  firstPiece (): void {
    this.within(this.delays.partial * (1 + Math.random() / 2))
  }

  /** Every piece is in and on record. */
  complete (): void {
    this.within(this.delays.complete * Math.random())
  }

  private within (ms: number): void {
    if (this.announced || Date.now() + ms >= this.dueAt) return
    clearTimeout(this.timer)
    this.dueAt = Date.now() + ms
    this.timer = setTimeout(() => {
      this.announced = true
      this.announce()
    }, ms)
    this.timer.unref()
  }
}
