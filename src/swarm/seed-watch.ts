import { sameFingerprints } from './resume.js'
import type { OpenSwarm, SwarmRegistry } from './registry.js'
import type { Logger } from '@libp2p/interface'

export interface SeedWatchInit {
  registry: SwarmRegistry
  /** Take a swarm down and bring it back from its files (see SwarmRestorer.reopen). */
  reopen(entry: OpenSwarm): Promise<OpenSwarm>
  /** ms between checks of seeded files for changes, at least. */
  interval: number
  /** The most of the time checks may take (0 to 1): slow checks space out. @default 1 */
  maxBusyShare?: number
  log: Logger
  /** The node is stopping: no check starts or goes on after it. */
  lifetime: AbortSignal
}

/**
 * Seeded files that changed size or modification time under a running node are verified
 * again: if every piece still matches the node goes on seeding them; otherwise it serves
 * only the pieces that still match (state 'partial') until the files change back.
 */
export class SeedWatch {
  private timer?: NodeJS.Timeout
  private running?: Promise<void>
  private checkAgain = false
  private stopped = false

  constructor (private readonly init: SeedWatchInit) {}

  /**
   * Check every `interval`, or less often when checks are slow: each waits after the last
   * for long enough that checking takes at most `maxBusyShare` of the time (a node seeding a
   * million files spends a tenth of its time on stats, not all of it).
   */
  start (): void {
    this.schedule(this.init.interval)
  }

  stop (): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  private schedule (delay: number): void {
    if (this.stopped || this.init.lifetime.aborted) return
    this.timer = setTimeout(() => {
      const started = performance.now()
      void this.checkNow().finally(() => {
        const share = this.init.maxBusyShare ?? 1
        this.schedule(Math.max(this.init.interval, (performance.now() - started) * (1 / share - 1)))
      })
    }, delay)
    this.timer.unref()
  }

  /** Check the seeds now, or once more right after the check that is running (a change it may have passed by). */
  async checkNow (): Promise<void> {
    if (this.running !== undefined) {
      this.checkAgain = true
      await this.running
      return
    }
    this.running = this.check().catch((err: Error) => { this.init.log.error('seed check failed - %e', err) }).finally(() => {
      this.running = undefined
      if (this.checkAgain && !this.init.lifetime.aborted) {
        this.checkAgain = false
        void this.checkNow()
      }
    })
    await this.running
  }

  /** Resolves once every seeding swarm was checked (and reopened where its files changed). */
  async check (): Promise<void> {
    const { registry, lifetime, log } = this.init
    for (const entry of registry.list()) {
      if (!serving(entry) || entry.record.files === undefined || lifetime.aborted) continue
      const current = await entry.store.fingerprints()
      if (sameFingerprints(entry.record.files, current)) continue
      // replaced (an add) or changed state while we looked: not ours to reopen
      if (registry.get(entry.record.contentId) !== entry || !serving(entry)) continue
      log('%s changed on disk: verifying it again', entry.record.path)
      try {
        await this.init.reopen(entry)
      } catch (err) {
        log.error('stopped seeding %s - %e', entry.record.contentId, err)
      }
      if (lifetime.aborted) return
      await registry.save().catch((err: Error) => { log.error('cannot save the swarm list - %e', err) })
    }
  }
}

function serving (entry: OpenSwarm): boolean {
  return entry.swarm.state === 'seeding' || entry.swarm.state === 'partial'
}
