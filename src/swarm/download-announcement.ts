/**
 * When a download is announced on the DHT (DISCOVERY.announce.partialDelay says why it waits):
 * `delay` ms (plus up to half again at random, so a crowd that started together does not walk
 * the DHT at once) after its first verified piece, or at completion if that comes sooner.
 * Announced once either way; the announcer re-announces from then on.
 */
export class DownloadAnnouncement {
  private timer?: NodeJS.Timeout
  private announced = false

  constructor (private readonly announce: () => void, private readonly delay: number) {}

  /** The first verified piece: from now on the download has something to give. */
  firstPiece (): void {
    if (this.announced || this.timer !== undefined) return
    this.timer = setTimeout(() => { this.now() }, this.delay * (1 + Math.random() / 2))
    this.timer.unref()
  }

  /** Every piece is in and on record. */
  complete (): void {
    this.now()
  }

  private now (): void {
    clearTimeout(this.timer)
    if (this.announced) return
    this.announced = true
    this.announce()
  }
}
