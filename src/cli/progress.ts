import cliProgress from 'cli-progress'
import { PROGRESS_BAR } from '../config/defaults.js'
import { counted, formatBytes, formatEta } from './format.js'
import { RecentRate } from './recent-rate.js'
import type { GetProgressEvent } from '../swarm/types.js'

/** What the bar shows, each field as text (not cli-progress's own {eta}: NaN and Infinity before the first byte). */
export interface BarFields {
  name: string
  have: string
  size: string
  rate: string
  timeLeft: string
  peers: string
}

/** The bar's fields from the download's state: "--" for a rate or ETA not known yet, never NaN or Infinity. */
export function barFields (state: { name: string, size: number, bytesHave: number, peers: number, rate: number | undefined }): BarFields {
  const { rate } = state
  const left = Math.max(0, state.size - state.bytesHave)
  const known = rate !== undefined && Number.isFinite(rate)
  return {
    name: state.name,
    have: formatBytes(state.bytesHave),
    size: formatBytes(state.size),
    rate: known ? `${formatBytes(rate)}/s` : '--/s',
    timeLeft: left === 0 ? '0s' : known && rate > 0 ? formatEta(left / rate) : '--',
    peers: counted(state.peers, 'peer')
  }
}

export { formatEta }

/** A download progress bar with rate and ETA, for a terminal. */
export class ProgressBar {
  total = 0
  private readonly bar: cliProgress.SingleBar
  private started = false
  private readonly rate = new RecentRate(PROGRESS_BAR.rateWindow)
  private state = { name: '', size: 0, bytesHave: 0, peers: 0 }
  private refresher?: NodeJS.Timeout

  constructor (stream: NodeJS.WriteStream) {
    this.bar = new cliProgress.SingleBar({
      stream,
      format: '{name} [{bar}] {percentage}% | {have} of {size} | {rate} | ETA {timeLeft} | {peers}',
      hideCursor: true,
      clearOnComplete: false
    }, cliProgress.Presets.shades_classic)
  }

  update (event: GetProgressEvent): void {
    if (event.type === 'shoal:get:manifest') {
      this.state = { ...this.state, name: event.name, size: event.size }
      this.start()
    } else if (event.type === 'shoal:get:progress') {
      this.state = { ...this.state, size: event.size, bytesHave: event.bytesHave, peers: event.peers }
      this.rate.note(event.bytesHave)
      this.start()
      this.draw()
    }
  }

  stop (): void {
    clearInterval(this.refresher)
    if (this.started) this.bar.stop()
  }

  private start (): void {
    this.total = this.state.size
    if (this.started) return
    this.started = true
    this.bar.start(Math.max(this.state.size, 1), this.state.bytesHave, this.fields())
    // between pieces (seconds apart on a slow line) the rate and ETA still move
    this.refresher = setInterval(() => { this.draw() }, PROGRESS_BAR.refresh)
    this.refresher.unref()
  }

  private draw (): void {
    this.bar.setTotal(Math.max(this.state.size, 1))
    this.bar.update(this.state.bytesHave, this.fields())
  }

  private fields (): BarFields {
    return barFields({ ...this.state, rate: this.rate.rate() })
  }
}
