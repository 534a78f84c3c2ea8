import cliProgress from 'cli-progress'
import { formatBytes } from './format.js'
import type { GetProgressEvent } from '../swarm/types.js'

/** A download progress bar with rate and ETA, for a terminal. */
export class ProgressBar {
  total = 0
  private readonly bar: cliProgress.SingleBar
  private started = false
  private readonly startedAt = Date.now()

  constructor (stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar({
      stream,
      format: '{name} [{bar}] {percentage}% | {have} of {size} | {rate}/s | ETA {eta_formatted} | {peers} peers',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50
    }, cliProgress.Presets.shades_classic)
  }

  update (event: GetProgressEvent): void {
    if (event.type === 'shoal:get:manifest') {
      this.total = event.size
      this.bar.start(Math.max(event.size, 1), 0, { name: event.name, have: formatBytes(0), size: formatBytes(event.size), rate: formatBytes(0), peers: 0 })
      this.started = true
    } else if (event.type === 'shoal:get:progress') {
      if (!this.started) {
        this.total = event.size
        this.bar.start(Math.max(event.size, 1), 0, { name: '', have: formatBytes(0), size: formatBytes(event.size), rate: formatBytes(0), peers: 0 })
        this.started = true
      }
      const seconds = Math.max((Date.now() - this.startedAt) / 1000, 0.001)
      this.bar.update(event.bytesHave, { have: formatBytes(event.bytesHave), rate: formatBytes(event.bytesHave / seconds), peers: event.peers })
    }
  }

  stop (): void {
    if (this.started) this.bar.stop()
  }
}
