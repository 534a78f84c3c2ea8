import { ADDING, ADD_NOTICE, HASHING, SEED_WATCH } from '../config/defaults.js'
import { Bitfield } from '../core/bitfield.js'
import { cancelSwarm } from './cancel.js'
import { selectFiles } from './select.js'
import { pieceCount, totalSize } from '../core/manifest.js'
import { HashThread } from '../storage/hash-thread.js'
import { StorageError } from '../errors.js'
import { Downloader } from './download.js'
import { SwarmOpener } from './opener.js'
import { SwarmRestorer } from './restore.js'
import { SeedWatch } from './seed-watch.js'
import { swarmStatus } from './status.js'
import type { OutputTarget } from './output.js'
import type { SwarmRecord, SwarmRecords } from './records.js'
import type { SwarmRegistry } from './registry.js'
import type { SessionBudget } from './session-budget.js'
import type { RateLimits, SwarmLimits } from './swarm.js'
import type { SwarmsTimeouts } from './swarm-init.js'
import type { AddOptions, AddResult, CancelOptions, CancelResult, GetOptions, PeerNetwork, SwarmStatus } from './types.js'
import type { ContentStorage } from '../storage/piece-store.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface SwarmsInit {
  /** The swarms by content id; built first, as the protocols look swarms up in it. */
  registry: SwarmRegistry
  records: SwarmRecords
  /** The only way to the files: stores over content, output paths, hashing for `add`. */
  storage: ContentStorage
  network: PeerNetwork
  limits: SwarmLimits
  /** Node-wide upload and download rate limits, shared by every swarm. */
  rates?: RateLimits
  /** The node-wide budget of peers, shared by every swarm. */
  budget?: SessionBudget
  /** The config's `timeouts`, under their config names. */
  timeouts: SwarmsTimeouts
  /** Bytes per piece for `add`; 0 picks from the content's size. */
  pieceSize: number
  maxManifestSize: number
  logger: ComponentLogger
  /** A peer misbehaved in some swarm; `fatal` means it should be refused from now on. */
  onMisbehaviour?(peerId: string, reason: string, fatal: boolean): void
}

/**
 * What the node does with swarms: bring back the last run's at start, `add`, `get`, status,
 * stop. Composes the registry, the opener, the restorer, the downloader and the seed watch.
 */
export class Swarms {
  private readonly init: SwarmsInit
  private readonly log: Logger
  private readonly lifetime = new AbortController()
  private readonly opener: SwarmOpener
  private readonly restorer: SwarmRestorer
  private readonly downloader: Downloader
  private readonly seedWatch: SeedWatch
  /**
   * Hashes received pieces, on a thread of its own while they come fast (it starts the thread
   * only then); inline once stopped.
   */
  private readonly hashThread: HashThread

  constructor (init: SwarmsInit) {
    this.init = init
    this.log = init.logger.forComponent('shoal:swarms')
    const { registry, records, storage, network } = init
    const lifetime = this.lifetime.signal
    this.hashThread = new HashThread({ fromRate: HASHING.threadFromRate, log: this.log })
    this.opener = new SwarmOpener({ ...init, hashing: this.hashThread, lifetime, onChangedOnDisk: () => { void this.seedWatch.checkNow() } })
    this.restorer = new SwarmRestorer({ registry, records, storage, opener: this.opener, log: this.log, lifetime })
    this.downloader = new Downloader({ registry, records, storage, network, opener: this.opener, restorer: this.restorer, timeouts: init.timeouts, maxManifestSize: init.maxManifestSize, log: this.log, lifetime })
    this.seedWatch = new SeedWatch({ registry, reopen: async (entry) => await this.restorer.reopen(entry), interval: init.timeouts.seedCheck, maxBusyShare: SEED_WATCH.maxBusyShare, log: this.log, lifetime })
  }

  /** Bring back the swarms of the last run and announce them. A swarm that cannot be restored is logged and kept on the list. */
  async start (): Promise<void> {
    const { registry, records, network } = this.init
    // The hashing thread boots now, beside the rest of the start (~60 ms, ~70 CPU ms on its
    // own thread, ~20 MiB): booted by the first fast download, that work competed with the
    // download's start. A cold 512 MiB 1 -> 1 get took 2.43-3.14 s (mean 2.75) that way,
    // 2.30-2.68 s (2.52) with the thread booted here, 8 runs in turn (2.44-2.89 s booted as
    // the get was issued, 4 runs). Until it is up, pieces are hashed inline.
    this.hashThread.start().catch((err: Error) => { this.log.error('the hashing thread did not start - %e', err) })
    for (const record of await records.loadList()) {
      try {
        const entry = await this.restorer.restore(record)
        network.provide(entry.cid)
      } catch (err) {
        // kept in the list: the next start tries again (a folder may be back by then)
        registry.keepUnrestored(record)
        this.log.error('cannot restore %s - %e', record.contentId, err)
      }
    }
    await registry.save()
    this.seedWatch.start()
  }

  async stop (): Promise<void> {
    this.lifetime.abort()
    this.seedWatch.stop()
    await this.init.registry.close()
    await this.hashThread.stop()
  }

  /** Whether pieces that come fast are hashed off the event loop now (see HASHING). */
  get hashingThreadOnline (): boolean {
    return this.hashThread.online
  }

  status (options: { peers?: boolean, files?: boolean } = {}): SwarmStatus[] {
    return this.init.registry.list().map(({ swarm }) => swarmStatus(swarm, options))
  }

  /** Hash a file or folder, seed it from where it is, and announce it. */
  async add (path: string, options: AddOptions = {}): Promise<AddResult> {
    const { registry, records, storage, network } = this.init
    const startedAt = Date.now()
    const imported = await storage.importContent(path, { adding: ADDING, pieceSize: this.init.pieceSize, followSymlinks: options.followSymlinks, signal: options.signal })
    const { manifest, manifestBytes, skippedLinks } = imported
    const contentId = imported.contentId.toString()
    const result: AddResult = { contentId, name: manifest.name, size: totalSize(manifest), pieceCount: pieceCount(manifest), path: imported.root }
    if (skippedLinks.length > 0) result.skippedLinks = { count: skippedLinks.length, first: skippedLinks.slice(0, ADD_NOTICE.skippedLinksListed) }
    const existing = registry.get(contentId)
    if (existing?.swarm.state === 'seeding') return result
    if (existing?.swarm.state === 'checking') throw new StorageError(`the files of ${contentId} are being verified again; try once that is done`)
    if (existing !== undefined) await registry.remove(contentId)
    const store = storage.open({ root: imported.root, manifest, mode: 'read' })
    const files = await store.fingerprints()
    // written while it was hashed: the hashes may not be of what is on disk now
    if (files.some(([size, mtimeMs], i) => mtimeMs > startedAt || size !== manifest.files[i].size)) {
      throw new StorageError(`${imported.root} changed while it was being added; add it again once it is written`)
    }
    const record: SwarmRecord = { contentId, path: imported.root, origin: 'seed', files }
    this.opener.guard(store, files)
    await records.saveManifest(contentId, manifestBytes)
    const entry = this.opener.open({ cid: imported.contentId, record, manifest, manifestBytes, store, have: Bitfield.full(pieceCount(manifest)) })
    await entry.have.remove()
    await registry.save()
    network.provide(imported.contentId)
    return result
  }

  /** Download `cid` to `output`; resolves with its path once every piece is verified and written. */
  async get (cid: CID, output: OutputTarget, options: GetOptions = {}): Promise<string> {
    return await this.downloader.get(cid, output, options)
  }

  /** Change which files a download fetches; see selectFiles. */
  async select (contentId: string, only: readonly string[] | undefined): Promise<string[] | undefined> {
    return await selectFiles(this.init.registry, this.opener, contentId, only)
  }

  /** Stop and forget the swarm of `contentId`; see cancelSwarm. */
  async cancel (contentId: string, options: CancelOptions = {}): Promise<CancelResult> {
    return await cancelSwarm(this.init.registry, contentId, options)
  }
}
