import { sameFingerprints } from './resume.js'
import type { OpenSwarm, SwarmRegistry } from './registry.js'
import type { Logger } from '@libp2p/interface'

export interface SeedWatchInit {
  registry: SwarmRegistry
  /** Take a swarm down and bring it back from its files (see SwarmRestorer.reopen). */
  reopen(entry: OpenSwarm): Promise<OpenSwarm>
  /** ms between checks of seeded files for changes. */
  interval: number
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
  private checking = false
  private checkAgain = false

  constructor (private readonly init: SeedWatchInit) {}

  start (): void {
    this.timer = setInterval(() => { this.checkNow() }, this.init.interval)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
  }

  /** Check the seeds now, or once more right after the check that is running (a change it may have passed by). */
  checkNow (): void {
    if (this.checking) {
      this.checkAgain = true
      return
    }
    this.checking = true
    void this.check().finally(() => {
      this.checking = false
      if (this.checkAgain && !this.init.lifetime.aborted) {
        this.checkAgain = false
        this.checkNow()
      }
    })
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
