import { TypedEventEmitter } from 'main-event'
import { resolve } from 'node:path'
import { Bitfield } from '../core/bitfield.js'
import { parseContentId } from '../core/content-id.js'
import { decodeManifest, pieceCount, totalSize } from '../core/manifest.js'
import { NoProvidersError, NodeStoppedError, PathError, StorageError, UnknownContentError } from '../errors.js'
import { FsPieceStore } from '../storage/fs-store.js'
import { importContent } from '../storage/import-content.js'
import { ADDING, PERSISTENCE, SWARM } from '../config/defaults.js'
import { sleep } from '../utils/sleep.js'
import { HaveCheckpoint } from './checkpoint.js'
import { HaveFile } from './have-file.js'
import { copyVerified, prepareOutput } from './output.js'
import { PeerFinder } from './peer-finder.js'
import { fingerprints, restoredPieces, sameFingerprints } from './resume.js'
import { SwarmStateFile } from './state-file.js'
import { Swarm } from './swarm.js'
import type { SwarmEvents } from './events.js'
import type { Fingerprints } from './resume.js'
import type { SwarmRecord } from './state-file.js'
import type { RateLimits, SwarmLimits, SwarmTimeouts } from './swarm.js'
import type { AddResult, GetOptions, GetProgressEvent, PeerNetwork, PeerStatus, SwarmStatus } from './types.js'
import type { Manifest } from '../core/manifest.js'
import type { SwarmEndpoint, SwarmLookup } from '../core/wire.js'
import type { ComponentLogger, Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface SwarmManagerInit {
  dataDir: string
  limits: SwarmLimits
  timeouts: SwarmTimeouts
  /** Node-wide upload and download rate limits, shared by every swarm. */
  rates?: RateLimits
  /** ms: how long `get` looks for a first peer with the manifest. */
  discoveryTimeout: number
  /** ms between provider searches while a swarm is incomplete. */
  rediscoverInterval: number
  /** ms between checks of seeded files for changes. */
  seedCheckInterval: number
  /** Bytes per piece for `add`; 0 picks from the content's size. */
  pieceSize: number
  maxManifestSize: number
  network: PeerNetwork
  logger: ComponentLogger
  /** A peer misbehaved in some swarm; `fatal` means it should be refused from now on. */
  onMisbehaviour?(peerId: string, reason: string, fatal: boolean): void
}

interface Listener {
  progress(swarm: Swarm): void
  complete(swarm: Swarm): void
  error(err: Error): void
}

interface Entry {
  swarm: Swarm
  store: FsPieceStore
  manifestBytes: Uint8Array
  record: SwarmRecord
  listeners: Set<Listener>
  haveFile: HaveFile
  /** While downloading: keeps the have record behind the bitfield. */
  checkpoint?: HaveCheckpoint
  finder?: PeerFinder
}

/**
 * All of the node's swarms, one per content id: creates them from `add` and `get`, remembers
 * them across restarts, finds peers for incomplete ones, and answers the protocols' lookups.
 */
export class SwarmManager implements SwarmLookup {
  private readonly init: SwarmManagerInit
  private readonly log: Logger
  private readonly logger: ComponentLogger
  private readonly state: SwarmStateFile
  private readonly entries = new Map<string, Entry>()
  private readonly lifetime = new AbortController()
  /** Peers joining and leaving swarms, pieces verified, swarms complete: for the swarms view. */
  readonly events = new TypedEventEmitter<SwarmEvents>()
  private seedCheck?: NodeJS.Timeout
  private checkingSeeds = false
  private checkSeedsAgain = false
  /** Remembered swarms that could not be brought back at start. */
  private readonly unrestored: SwarmRecord[] = []

  constructor (init: SwarmManagerInit) {
    this.init = init
    this.logger = init.logger
    this.log = init.logger.forComponent('shoal:swarms')
    this.state = new SwarmStateFile(init.dataDir)
  }

  /** Bring back the swarms of the last run. A swarm that cannot be restored is logged and skipped. */
  async start (): Promise<void> {
    for (const record of await this.state.load()) {
      try {
        await this.restore(record)
      } catch (err) {
        // kept in the list: the next start tries again (a folder may be back by then)
        this.unrestored.push(record)
        this.log.error('cannot restore %s - %e', record.contentId, err)
      }
    }
    await this.persist()
    this.seedCheck = setInterval(() => { this.checkSeedsNow() }, this.init.seedCheckInterval)
    this.seedCheck.unref()
  }

  /** Files served in place are served only while they are as verified; a change found on a read is checked at once. */
  private guard (store: FsPieceStore, verifiedAs: Fingerprints): void {
    store.serveWhileUnchanged(verifiedAs, () => { this.checkSeedsNow() })
  }

  /** Check the seeds now, or once more right after the check that is running (a change it may have passed by). */
  private checkSeedsNow (): void {
    if (this.checkingSeeds) {
      this.checkSeedsAgain = true
      return
    }
    this.checkingSeeds = true
    void this.checkSeeds().finally(() => {
      this.checkingSeeds = false
      if (this.checkSeedsAgain && !this.lifetime.signal.aborted) {
        this.checkSeedsAgain = false
        this.checkSeedsNow()
      }
    })
  }

  /**
   * Seeded files that changed size or modification time under a running node are verified
   * again: if every piece still matches the node goes on seeding them; otherwise it serves
   * only the pieces that still match (state 'partial') until the files change back.
   */
  private async checkSeeds (): Promise<void> {
    for (const entry of [...this.entries.values()]) {
      const { record, swarm } = entry
      if ((swarm.state !== 'seeding' && swarm.state !== 'partial') || record.files === undefined || this.lifetime.signal.aborted) continue
      const current = await fingerprints(entry.store, swarm.manifest)
      if (sameFingerprints(record.files, current)) continue
      // replaced (an add) or changed state while we looked: not ours to reopen
      if (this.entries.get(record.contentId) !== entry || (swarm.state !== 'seeding' && swarm.state !== 'partial')) continue
      this.log('%s changed on disk: verifying it again', record.path)
      try {
        await this.reopen(entry)
      } catch (err) {
        this.log.error('stopped seeding %s - %e', record.contentId, err)
      }
      if (this.lifetime.signal.aborted) return
      await this.persist().catch((err: Error) => { this.log.error('cannot save the swarm list - %e', err) })
    }
  }

  async stop (): Promise<void> {
    this.lifetime.abort()
    clearInterval(this.seedCheck)
    const stopped = new NodeStoppedError('the node stopped before the download completed')
    for (const entry of this.entries.values()) {
      entry.finder?.stop()
      for (const listener of entry.listeners) listener.error(stopped)
    }
    await Promise.all([...this.entries.values()].map(async e => {
      await e.checkpoint?.close()
      await e.swarm.stop()
    }))
    this.entries.clear()
  }

  endpoint (contentId: string): SwarmEndpoint | undefined {
    const swarm = this.entries.get(contentId)?.swarm
    return swarm?.state === 'seeding' || swarm?.state === 'downloading' || swarm?.state === 'partial' ? swarm : undefined
  }

  manifestBytes (cid: CID): Uint8Array | undefined {
    return this.entries.get(cid.toString())?.manifestBytes
  }

  swarm (contentId: string): Swarm | undefined {
    return this.entries.get(contentId)?.swarm
  }

  list (): Swarm[] {
    return [...this.entries.values()].map(e => e.swarm)
  }

  status (options: { peers?: boolean } = {}): SwarmStatus[] {
    return [...this.entries.values()].map(({ swarm }) => ({
      contentId: swarm.contentId,
      name: swarm.manifest.name,
      path: swarm.path,
      directory: swarm.manifest.directory,
      size: swarm.layout.totalSize,
      pieceSize: swarm.manifest.pieceSize,
      pieceCount: swarm.pieceCount,
      piecesHave: swarm.have.count,
      state: swarm.state,
      peers: swarm.peers.size,
      uploaded: swarm.uploaded,
      downloaded: swarm.downloaded,
      uploadRate: Math.round(swarm.uploadMeter.rate()),
      downloadRate: Math.round(swarm.downloadMeter.rate()),
      startedAt: swarm.startedAt,
      ...(swarm.completedAt === undefined ? {} : { completedAt: swarm.completedAt }),
      ...(swarm.error === undefined ? {} : { error: swarm.error.message }),
      ...(options.peers === true ? { peerDetails: peerStatus(swarm) } : {})
    }))
  }

  /** Hash a file or folder, seed it from where it is, and announce it. */
  async add (path: string, options: { signal?: AbortSignal } = {}): Promise<AddResult> {
    const startedAt = Date.now()
    const imported = await importContent(path, { pieceSize: this.init.pieceSize, adding: ADDING, signal: options.signal })
    const contentId = imported.contentId.toString()
    const result = { contentId, name: imported.manifest.name, size: totalSize(imported.manifest), pieceCount: pieceCount(imported.manifest), path: imported.root }
    const existing = this.entries.get(contentId)
    if (existing !== undefined && existing.swarm.state === 'seeding') return result
    if (existing?.swarm.state === 'checking') throw new StorageError(`the files of ${contentId} are being verified again; try once that is done`)
    if (existing !== undefined) await this.remove(contentId)
    const store = new FsPieceStore({ root: imported.root, manifest: imported.manifest, mode: 'read' })
    const have = Bitfield.full(pieceCount(imported.manifest))
    const files = await fingerprints(store, imported.manifest)
    // written while it was hashed: the hashes may not be of what is on disk now
    if (files.some(([size, mtimeMs], i) => mtimeMs > startedAt || size !== imported.manifest.files[i].size)) {
      throw new StorageError(`${imported.root} changed while it was being added; add it again once it is written`)
    }
    const record: SwarmRecord = { contentId, path: imported.root, origin: 'seed', files }
    this.guard(store, record.files as Fingerprints)
    await this.state.saveManifest(contentId, imported.manifestBytes)
    const entry = this.open(record, imported.manifest, imported.manifestBytes, store, have)
    await entry.haveFile.remove()
    await this.persist()
    this.init.network.provide(imported.contentId)
    return result
  }

  /** Download `cidText` to `options.output`; resolves once every piece is verified and written. */
  async get (cidText: string, options: GetOptions): Promise<string> {
    const cid = parseContentId(cidText)
    const contentId = cid.toString()
    let output = options.output === undefined ? undefined : resolve(options.output)
    const existing = this.entries.get(contentId)
    if (existing !== undefined && existing.swarm.state === 'error' && existing.record.origin === 'download' &&
      existing.record.path === (output ?? resolve(options.outputDir ?? '.', existing.swarm.manifest.name))) {
      // e.g. the disk was full: go on from the pieces recorded, at the same path
      return await this.waitForCompletion(await this.reopen(existing), options)
    }
    if (existing?.swarm.state === 'partial') throw new StorageError((existing.swarm.error as Error).message)
    if (existing?.swarm.state === 'checking') throw new StorageError(`the files of ${contentId} are being verified again; try once that is done`)
    if (existing !== undefined && existing.swarm.state !== 'error') {
      return await this.getExisting(existing, output ?? resolve(options.outputDir ?? '.', existing.swarm.manifest.name), options)
    }
    if (existing !== undefined) await this.remove(contentId)
    // with an explicit output, refuse a taken path before any network work
    if (output !== undefined) await prepareOutput(output, options.force === true)
    options.onProgress?.({ type: 'shoal:get:searching', contentId })
    const manifestBytes = await this.findManifest(cid, options)
    const manifest = decodeManifest(manifestBytes, this.init.maxManifestSize)
    options.onProgress?.({ type: 'shoal:get:manifest', contentId, name: manifest.name, size: totalSize(manifest), pieceCount: pieceCount(manifest) })
    const raced = this.entries.get(contentId)
    if (raced !== undefined) return await this.getExisting(raced, output ?? resolve(options.outputDir ?? '.', manifest.name), options)
    if (output === undefined) {
      output = resolve(options.outputDir ?? '.', manifest.name)
      await prepareOutput(output, options.force === true)
    }
    const record: SwarmRecord = { contentId, path: output, origin: 'download' }
    await this.state.saveManifest(contentId, manifestBytes)
    // an empty record from the start: a restart resumes from records, never by rehashing
    await new HaveFile(this.init.dataDir, contentId).save(new Bitfield(pieceCount(manifest)))
    // the swarm is on record before its files exist: a crash in between leaves a download
    // that the next start (or get) goes on with, not a stray file that blocks the path
    await this.persist([record])
    const store = new FsPieceStore({ root: output, manifest, mode: 'write' })
    try {
      await store.prepare()
    } catch (err) {
      await this.persist().catch(() => {})
      throw err
    }
    const entry = this.open(record, manifest, manifestBytes, store, new Bitfield(pieceCount(manifest)), options.sequential === true)
    // announced on the DHT with its first verified piece (see open): before that it has nothing to give
    return await this.waitForCompletion(entry, options)
  }

  private async getExisting (entry: Entry, output: string, options: GetOptions): Promise<string> {
    const { swarm } = entry
    if (options.sequential === true) swarm.sequential = true
    if (swarm.path === output) return await this.waitForCompletion(entry, options)
    if (swarm.state !== 'seeding') {
      throw new PathError(`${swarm.contentId} is already being downloaded to ${swarm.path}`)
    }
    await prepareOutput(output, options.force === true)
    await copyVerified(swarm, output)
    options.onProgress?.({ type: 'shoal:get:complete', contentId: swarm.contentId, path: output })
    return output
  }

  private async findManifest (cid: CID, options: GetOptions): Promise<Uint8Array> {
    const timeout = options.discoveryTimeout ?? this.init.discoveryTimeout
    const deadline = AbortSignal.any([this.lifetime.signal, AbortSignal.timeout(timeout), ...(options.signal === undefined ? [] : [options.signal])])
    while (!deadline.aborted) {
      try {
        for await (const peer of this.init.network.findPeers(cid, deadline)) {
          try {
            return await this.init.network.fetchManifest(peer, cid, deadline)
          } catch (err) {
            this.log('no manifest from %s - %e', peer, err)
          }
        }
      } catch (err) {
        if (!deadline.aborted) this.log('provider search failed - %e', err)
      }
      await sleep(200, deadline).catch(() => {})
    }
    options.signal?.throwIfAborted()
    if (this.lifetime.signal.aborted) throw new NodeStoppedError('the node stopped while looking for the content')
    throw new NoProvidersError(`no peer with content ${cid.toString()} was found within ${Math.round(timeout / 1000)} s`)
  }

  private async waitForCompletion (entry: Entry, options: GetOptions): Promise<string> {
    const { swarm } = entry
    const report = (s: Swarm): void => {
      options.onProgress?.({ type: 'shoal:get:progress', contentId: s.contentId, piecesHave: s.have.count, pieceCount: s.pieceCount, bytesHave: bytesHave(s), size: s.layout.totalSize, peers: s.peers.size })
    }
    const done = (): string => {
      options.onProgress?.({ type: 'shoal:get:complete', contentId: swarm.contentId, path: swarm.path })
      return swarm.path
    }
    report(swarm)
    if (swarm.state === 'seeding') return done()
    return await new Promise<string>((resolve, reject) => {
      const onAbort = (): void => { finish(); reject(options.signal?.reason) }
      const finish = (): void => {
        entry.listeners.delete(listener)
        options.signal?.removeEventListener('abort', onAbort)
      }
      const listener: Listener = {
        progress: report,
        complete: () => { finish(); resolve(done()) },
        error: (err) => { finish(); reject(err) }
      }
      entry.listeners.add(listener)
      options.signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  private open (record: SwarmRecord, manifest: Manifest, manifestBytes: Uint8Array, store: FsPieceStore, have: Bitfield, sequential = false, changedOnDisk?: Error): Entry {
    const listeners = new Set<Listener>()
    const swarm = new Swarm({
      contentId: record.contentId,
      manifest,
      path: record.path,
      store,
      have,
      localPeerId: this.init.network.localPeerId,
      limits: this.init.limits,
      timeouts: this.init.timeouts,
      tuning: SWARM,
      rates: this.init.rates,
      sequential,
      initialSeed: record.origin === 'seed',
      changedOnDisk,
      log: this.logger.forComponent(`shoal:swarm:${record.contentId.slice(-8)}`),
      observer: {
        onProgress: (s) => {
          if (s.have.count === 1) this.init.network.provide(parseContentId(s.contentId))
          entry.checkpoint?.stored()
          for (const l of listeners) l.progress(s)
        },
        onComplete: (s) => {
          this.emit('swarm:complete', { contentId: s.contentId })
          void this.completed(entry).finally(() => { for (const l of listeners) l.complete(s) })
        },
        onError: (_s, err) => {
          // record what is durable first: once the get fails, the records are final, and a
          // get at the same path goes on from them
          void Promise.resolve(entry.checkpoint?.close()).finally(() => { for (const l of listeners) l.error(err) })
        },
        onMisbehaviour: (_s, peer, reason, fatal) => { this.init.onMisbehaviour?.(peer, reason, fatal) },
        onPeerJoined: (s, peerId) => { this.emit('swarm:peer-joined', { contentId: s.contentId, peerId }) },
        onPeerLeft: (s, peerId) => { this.emit('swarm:peer-left', { contentId: s.contentId, peerId }) },
        onPieceVerified: (s, index) => { this.emit('swarm:piece-verified', { contentId: s.contentId, index }) }
      }
    })
    const haveFile = new HaveFile(this.init.dataDir, record.contentId)
    const entry: Entry = { swarm, store, manifestBytes, record, listeners, haveFile }
    this.entries.set(record.contentId, entry)
    this.emit('swarm:added', { contentId: record.contentId, state: swarm.state })
    if (swarm.state === 'downloading') {
      entry.checkpoint = new HaveCheckpoint({
        file: haveFile,
        have,
        sync: async () => { await store.flush() },
        interval: PERSISTENCE.checkpointInterval,
        maxPending: PERSISTENCE.checkpointPieces,
        log: this.log
      })
      this.findPeers(entry)
    }
    return entry
  }

  /**
   * Every piece is in: make the content durable, then remember its files' sizes and times
   * (the record a restart trusts), then drop the have record it no longer needs.
   */
  private async completed (entry: Entry): Promise<void> {
    entry.finder?.stop()
    try {
      await entry.checkpoint?.close()
      await entry.store.flush()
      entry.record.files = await fingerprints(new FsPieceStore({ root: entry.record.path, manifest: entry.swarm.manifest, mode: 'read' }), entry.swarm.manifest)
      this.guard(entry.store, entry.record.files)
      await this.persist()
      await entry.haveFile.remove()
    } catch (err) {
      this.log.error('cannot record completion of %s - %e', entry.record.contentId, err)
    }
  }

  /** While the swarm is incomplete: look for peers, connect to new ones, and look again later. */
  private findPeers (entry: Entry): void {
    entry.finder = new PeerFinder({
      swarm: entry.swarm,
      network: this.init.network,
      maxPeers: this.init.limits.maxPeersPerSwarm,
      interval: this.init.rediscoverInterval,
      log: this.log
    })
    entry.finder.start(this.lifetime.signal)
  }

  /** Someone (a protocol module) suggests `peer` for the swarm of `contentId`: tried like a found provider. */
  offerPeer (contentId: string, peer: string): void {
    this.entries.get(contentId)?.finder?.offer(peer)
  }

  /** Dispatch only when someone listens: piece events are on the hot path. */
  private emit<K extends keyof SwarmEvents> (type: K, detail: SwarmEvents[K]['detail']): void {
    if (this.events.listenerCount(type) === 0) return
    this.events.safeDispatchEvent(type, { detail })
  }

  /** A peer connected to the node: every incomplete swarm offers it an exchange. */
  onPeerConnected (peer: string): void {
    for (const entry of this.entries.values()) entry.finder?.offer(peer)
  }

  private async restore (record: SwarmRecord): Promise<void> {
    const manifestBytes = await this.state.loadManifest(record.contentId)
    const manifest = decodeManifest(manifestBytes)
    const haveFile = new HaveFile(this.init.dataDir, record.contentId)
    const { have, from, files } = await restoredPieces(record, manifest, haveFile, this.log, this.lifetime.signal)
    const changed = record.origin === 'seed' && !have.complete
    if (from === 'rehash' && (have.complete || changed)) {
      // remember the files as they were before the hash (and, if some pieces no longer match,
      // which ones still do, before the record says so): the next check rehashes only on
      // another change, and a write during the hash is one
      if (changed) await haveFile.save(have)
      else await haveFile.remove()
      record = { contentId: record.contentId, path: record.path, origin: record.origin, files, ...(changed ? { partial: true } : {}) }
    }
    const store = new FsPieceStore({ root: record.path, manifest, mode: record.origin === 'seed' || have.complete ? 'read' : 'write' })
    if (!have.complete && !changed) await store.prepare()
    if ((have.complete || changed) && record.files !== undefined) this.guard(store, record.files)
    this.log('restored %s with %d/%d pieces (from %s)', record.contentId, have.count, pieceCount(manifest), from)
    const changedOnDisk = changed ? new StorageError(changedMessage(record.path, have.count, pieceCount(manifest))) : undefined
    // the node stopped meanwhile: nothing may open after it
    this.lifetime.signal.throwIfAborted()
    this.open({ ...record, files: have.complete || changed ? record.files : undefined }, manifest, manifestBytes, store, have, false, changedOnDisk)
  }

  /**
   * Take a swarm down and bring it back from disk: a download that failed (a full disk, say)
   * goes on from its have record at the same path; a seeder whose files changed is rehashed.
   */
  private async reopen (entry: Entry): Promise<Entry> {
    const { contentId } = entry.record
    entry.finder?.stop()
    await entry.checkpoint?.close()
    // listed as 'checking' meanwhile (a rehash of large content takes a while)
    await entry.swarm.stop('checking')
    try {
      await this.restore(entry.record)
    } catch (err) {
      if (this.entries.get(contentId) === entry) {
        this.entries.delete(contentId)
        this.emit('swarm:removed', { contentId })
      }
      throw err
    }
    const reopened = this.entries.get(contentId)
    if (reopened === undefined || reopened === entry) throw new StorageError(`cannot resume ${contentId}`)
    return reopened
  }

  private async remove (contentId: string): Promise<void> {
    const entry = this.entries.get(contentId)
    if (entry === undefined) throw new UnknownContentError(`unknown content ${contentId}`)
    entry.finder?.stop()
    this.entries.delete(contentId)
    await entry.checkpoint?.close()
    await entry.swarm.stop()
    await entry.haveFile.remove()
    await this.persist()
    this.emit('swarm:removed', { contentId })
  }

  /** Save the swarm list: the open swarms, those not restored this run, and `opening`. */
  private async persist (opening: SwarmRecord[] = []): Promise<void> {
    // after stop the list is final: a late save would drop the swarms stop already closed
    if (this.lifetime.signal.aborted) return
    const live = [...this.entries.values()].map(e => e.record)
    await this.state.save([...live, ...opening, ...this.unrestored.filter(r => !this.entries.has(r.contentId))])
  }
}

function changedMessage (path: string, matching: number, count: number): string {
  return `${path} changed since it was added: ${count - matching} of ${count} pieces no longer match; serving the other ${matching} (add it again to seed what it holds now)`
}

function peerStatus (swarm: Swarm): PeerStatus[] {
  return [...swarm.peers.values()].map(s => ({
    peerId: s.peerId,
    piecesHave: s.remoteHas.count,
    seed: s.isSeed,
    downloaded: s.downloadMeter.bytes,
    uploaded: s.uploadMeter.bytes,
    downloadRate: Math.round(s.downloadMeter.rate()),
    uploadRate: Math.round(s.uploadMeter.rate()),
    choked: s.choking,
    chokingUs: s.chokedBy,
    snubbed: s.snubbed,
    requestsOut: s.requestsOut,
    requestsQueued: s.uploadQueue.length
  }))
}

function bytesHave (swarm: Swarm): number {
  const full = swarm.have.count * swarm.layout.pieceSize
  const last = swarm.pieceCount - 1
  return swarm.have.has(last) ? full - swarm.layout.pieceSize + swarm.layout.pieceLength(last) : full
}

export type { GetProgressEvent }
