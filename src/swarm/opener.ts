import { DISCOVERY, PERSISTENCE, SWARM } from '../config/defaults.js'
import { DownloadAnnouncement } from './download-announcement.js'
import type { AnnouncementDelays } from './download-announcement.js'
import { HaveCheckpoint } from './checkpoint.js'
import { PeerFinder } from './peer-finder.js'
import { Swarm } from './swarm.js'
import { selectionPaths } from '../core/selection.js'
import type { OpenSwarm, SwarmRegistry, SwarmWaiter } from './registry.js'
import type { SwarmRecord, SwarmRecords } from './records.js'
import type { SessionBudget } from './session-budget.js'
import type { RateLimits, SwarmLimits } from './swarm.js'
import type { SwarmsTimeouts } from './swarm-init.js'
import type { PeerNetwork } from './types.js'
import type { Bitfield } from '../core/bitfield.js'
import type { FileSelection } from '../core/selection.js'
import type { Manifest } from '../core/manifest.js'
import type { PieceHashing } from '../core/piece-hash.js'
import type { FileFingerprints, PieceStore } from '../storage/piece-store.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface SwarmOpenerInit {
  registry: SwarmRegistry
  records: SwarmRecords
  network: PeerNetwork
  limits: SwarmLimits
  /** Node-wide upload and download rate limits, shared by every swarm. */
  rates?: RateLimits
  /** The node-wide budget of peers, shared by every swarm. */
  budget?: SessionBudget
  /** Where received pieces are hashed, for every swarm. @default inline */
  hashing?: PieceHashing
  timeouts: Pick<SwarmsTimeouts, 'request' | 'rediscoverInterval'>
  logger: ComponentLogger
  /** The node is stopping: no peer search outlives it. */
  lifetime: AbortSignal
  /** A served file changed since its pieces were verified (noticed on a read). */
  onChangedOnDisk(): void
  /** A peer misbehaved in some swarm; `fatal` means it should be refused from now on. */
  onMisbehaviour?(peerId: string, reason: string, fatal: boolean): void
  /** How long a download waits to be announced on the DHT. @default DISCOVERY.announce partialDelay and completeDelay */
  announceDelays?: AnnouncementDelays
}

/** What a swarm opens with. */
export interface SwarmSpec {
  cid: CID
  record: SwarmRecord
  manifest: Manifest
  manifestBytes: Uint8Array
  store: PieceStore
  /** The pieces already verified in the store. */
  have: Bitfield
  sequential?: boolean
  /** Added files that changed and no longer hold every piece (see SwarmInit). */
  changedOnDisk?: Error
  /** Fetch only these files (see SwarmInit). */
  selection?: FileSelection
  partial?: Bitfield
}

/**
 * Brings one swarm to life in the registry: the Swarm over its store, its events, and while
 * it downloads a have checkpoint and a peer finder; on completion it records the content's
 * files, which the swarm serves from then on only while they are unchanged.
 */
export class SwarmOpener {
  private readonly log: Logger

  constructor (private readonly init: SwarmOpenerInit) {
    this.log = init.logger.forComponent('shoal:swarms')
  }

  open (spec: SwarmSpec): OpenSwarm {
    const { registry, records } = this.init
    const { record } = spec
    registry.assertOpen()
    const waiters = new Set<SwarmWaiter>()
    const swarm = new Swarm({
      contentId: record.contentId,
      manifest: spec.manifest,
      path: record.path,
      store: spec.store,
      have: spec.have,
      localPeerId: this.init.network.localPeerId,
      limits: this.init.limits,
      timeouts: { request: this.init.timeouts.request },
      tuning: SWARM,
      rates: this.init.rates,
      budget: this.init.budget,
      hashing: this.init.hashing,
      sequential: spec.sequential === true,
      initialSeed: record.origin === 'seed',
      changedOnDisk: spec.changedOnDisk,
      selection: spec.selection,
      partial: spec.partial,
      log: this.init.logger.forComponent(`shoal:swarm:${record.contentId.slice(-8)}`),
      observer: {
        onProgress: (s) => {
          if (s.have.count === 1) announcement.firstPiece()
          entry.checkpoint?.stored()
          for (const w of waiters) w.progress(s)
        },
        onComplete: (s) => {
          registry.emit('swarm:complete', { contentId: s.contentId })
          void this.completed(entry).finally(() => {
            for (const w of waiters) w.complete(s)
            announcement.complete()
          })
        },
        onError: (_s, err) => {
          // record what is durable first: once the get fails, the records are final, and a
          // get at the same path goes on from them
          void Promise.resolve(entry.checkpoint?.close()).finally(() => { for (const w of waiters) w.error(err) })
        },
        onMisbehaviour: (_s, peer, reason, fatal) => { this.init.onMisbehaviour?.(peer, reason, fatal) },
        onPeerJoined: (s, peerId) => { registry.emit('swarm:peer-joined', { contentId: s.contentId, peerId }) },
        onPeerLeft: (s, peerId) => { registry.emit('swarm:peer-left', { contentId: s.contentId, peerId }) },
        onPieceVerified: (s, index) => { registry.emit('swarm:piece-verified', { contentId: s.contentId, index }) },
        onPieceReceived: (s, peerId, index, roundTripMs) => { registry.emit('swarm:piece-received', { contentId: s.contentId, peerId, index, roundTripMs }) },
        onPieceFailed: (s, peerId, index, reason) => { registry.emit('swarm:piece-failed', { contentId: s.contentId, peerId, index, reason }) }
      }
    })
    const entry: OpenSwarm = { cid: spec.cid, swarm, store: spec.store, manifestBytes: spec.manifestBytes, record, have: records.have(record.contentId), waiters }
    // (unless it was closed meanwhile: nothing to announce then)
    const announcement = new DownloadAnnouncement(() => {
      if (registry.get(record.contentId) === entry) this.init.network.provide(spec.cid)
    }, this.init.announceDelays ?? { partial: DISCOVERY.announce.partialDelay, complete: DISCOVERY.announce.completeDelay })
    registry.add(entry)
    if (swarm.state === 'downloading') this.keepDownloading(entry, spec.have)
    return entry
  }

  /** Files served in place are served only while they are as verified; a change found on a read is checked at once. */
  guard (store: PieceStore, verifiedAs: FileFingerprints): void {
    store.serveWhileUnchanged(verifiedAs, () => { this.init.onChangedOnDisk() })
  }

  private keepDownloading (entry: OpenSwarm, have: Bitfield): void {
    entry.checkpoint = new HaveCheckpoint({
      file: entry.have,
      have,
      sync: async () => { await entry.store.flush() },
      interval: PERSISTENCE.checkpointInterval,
      maxPending: PERSISTENCE.checkpointPieces,
      durableInterval: PERSISTENCE.durableInterval,
      durablePieces: PERSISTENCE.durablePieces,
      log: this.log
    })
    entry.finder = new PeerFinder({
      swarm: entry.swarm,
      cid: entry.cid,
      network: this.init.network,
      maxPeers: this.init.limits.maxPeersPerSwarm,
      interval: this.init.timeouts.rediscoverInterval,
      log: this.log
    })
    entry.finder.start(this.init.lifetime)
  }

  /**
   * Change what a download fetches (undefined: every file): on record at once, and a swarm
   * whose selection was complete goes back to finding peers.
   */
  async select (entry: OpenSwarm, files: FileSelection | undefined): Promise<void> {
    if (entry.swarm.select(files)) this.keepDownloading(entry, entry.swarm.have)
    // the pieces kept in part go on record only once their bytes are durable
    await entry.store.flush()
    noteSelection(entry)
    await this.init.registry.save()
  }

  /**
   * Every piece is in: make the content durable, then remember its files' sizes and times
   * (the record a restart trusts), then drop the have record it no longer needs.
   */
  private async completed (entry: OpenSwarm): Promise<void> {
    entry.finder?.stop()
    if (!entry.swarm.whole) {
      await this.selectionCompleted(entry)
      return
    }
    delete entry.record.only
    delete entry.record.partialPieces
    try {
      // the completion's records below supersede the have record: no last save of it
      await entry.checkpoint?.stop()
      await entry.store.complete()
      await entry.store.flush()
      entry.record.files = await entry.store.fingerprints()
      this.guard(entry.store, entry.record.files)
      await this.init.registry.save()
      await entry.have.remove()
    } catch (err) {
      this.log.error('cannot record completion of %s - %e', entry.record.contentId, err)
    }
  }

  /**
   * The selected files are in: the have record and the pieces kept in part go on record (the
   * data made durable first); the swarm serves what it has, and finds peers again only when
   * the selection grows.
   */
  private async selectionCompleted (entry: OpenSwarm): Promise<void> {
    const { checkpoint } = entry
    entry.checkpoint = undefined
    entry.finder = undefined
    try {
      await checkpoint?.close()
      await entry.store.complete(entry.swarm.selection)
      await entry.store.flush()
      noteSelection(entry)
      await this.init.registry.save()
    } catch (err) {
      this.log.error('cannot record the selected files of %s - %e', entry.record.contentId, err)
    }
  }
}

/** The swarm's selection and its pieces kept in part, on its record (saved with the list). */
function noteSelection (entry: OpenSwarm): void {
  const { swarm, record } = entry
  const only = selectionPaths(swarm.manifest, swarm.selection)
  if (only === undefined) {
    delete record.only
    delete record.partialPieces
    return
  }
  record.only = only
  const partial: number[] = []
  for (let i = 0; i < swarm.pieceCount; i++) if (swarm.partialPieces.has(i)) partial.push(i)
  record.partialPieces = partial
}
