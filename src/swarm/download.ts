import { SEARCH_REPORTS } from '../config/defaults.js'
import { Bitfield } from '../core/bitfield.js'
import { decodeManifest, pieceCount, totalSize } from '../core/manifest.js'
import { NoProvidersError, NodeStoppedError, PathError, StorageError } from '../errors.js'
import { ManifestSearch } from './manifest-search.js'
import { copyVerified, outputPath } from './output.js'
import { explainNotFound } from './search-diagnosis.js'
import { SearchTally } from './search-tally.js'
import { bytesHave } from './status.js'
import { partPath } from '../storage/part-files.js'
import { resolveSelection, selectionPaths, widenSelection } from '../core/selection.js'
import { verifyStoredPieces } from '../storage/verify.js'
import type { ManifestSearchTunables } from './manifest-search.js'
import type { SwarmOpener } from './opener.js'
import type { OutputTarget } from './output.js'
import type { OpenSwarm, SwarmRegistry, SwarmWaiter } from './registry.js'
import type { SwarmRecord, SwarmRecords } from './records.js'
import type { SwarmRestorer } from './restore.js'
import type { Swarm } from './swarm.js'
import type { SwarmsTimeouts } from './swarm-init.js'
import type { GetOptions, PeerNetwork } from './types.js'
import type { Manifest } from '../core/manifest.js'
import type { ContentStorage, PieceStore } from '../storage/piece-store.js'
import type { Logger } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'

export interface DownloaderInit {
  registry: SwarmRegistry
  records: SwarmRecords
  storage: ContentStorage
  network: PeerNetwork
  opener: SwarmOpener
  restorer: SwarmRestorer
  /** ms: how long `get` looks for a first peer with the manifest, unless the get says. */
  timeouts: Pick<SwarmsTimeouts, 'discovery'>
  maxManifestSize: number
  /** How the manifest is asked for. @default MANIFEST_SEARCH */
  manifestSearch?: ManifestSearchTunables
  log: Logger
  /** The node is stopping: searches end, nothing opens. */
  lifetime: AbortSignal
}

/**
 * A `get`, from a content id and an output to a complete, verified swarm: the manifest from
 * the first peer that has it, the output prepared, the swarm opened, and the wait for it.
 */
export class Downloader {
  /** Swarms being opened (output claimed, records written): a second get of the same content joins it. */
  private readonly opening = new Map<string, Promise<OpenSwarm>>()

  constructor (private readonly init: DownloaderInit) {}

  /** Resolves with the content's path once every piece is verified and written. */
  async get (cid: CID, target: OutputTarget, options: GetOptions = {}): Promise<string> {
    const { registry } = this.init
    const contentId = cid.toString()
    const existing = registry.get(contentId)
    if (existing !== undefined) {
      const output = outputPath(target, existing.swarm.manifest.name)
      const { state } = existing.swarm
      if (state === 'error' && existing.record.origin === 'download' && existing.record.path === output) {
        // e.g. the disk was full: go on from the pieces recorded, at the same path
        reportManifest(contentId, existing.swarm.manifest, options)
        return await waitForCompletion(await this.init.restorer.reopen(existing), options)
      }
      if (state === 'partial') throw new StorageError((existing.swarm.error as Error).message)
      if (state === 'checking') throw new StorageError(`the files of ${contentId} are being verified again; try once that is done`)
      if (state !== 'error') {
        // a get that attaches to a swarm open here learns its name and size as a new one does
        reportManifest(contentId, existing.swarm.manifest, options)
        if (widens(existing, output)) this.widen(existing, options)
        return await this.getExisting(existing, output, options)
      }
      await registry.remove(contentId)
    }
    // with an explicit output, refuse a taken path before any network work; one that a get of
    // this content left (a cancelled one, say) waits for the manifest: it may be gone on with
    const mayResume = 'path' in target && options.force !== true && (await this.init.records.outputOf(target.path)) === contentId
    if ('path' in target && !mayResume) await this.claim(target.path, contentId, options.force === true)
    const manifestBytes = await this.findManifest(cid, options)
    const manifest = decodeManifest(manifestBytes, this.init.maxManifestSize)
    // a path that names nothing fails before anything is made
    if (options.only !== undefined) resolveSelection(manifest, options.only)
    reportManifest(contentId, manifest, options)
    const output = outputPath(target, manifest.name)
    // no await unless one is being opened: the check and the set below must be one turn
    const pending = this.opening.get(contentId)
    const raced = registry.get(contentId) ?? (pending === undefined ? undefined : await pending)
    if (raced !== undefined) {
      if (widens(raced, output)) this.widen(raced, options)
      return await this.getExisting(raced, output, options)
    }
    const opening = this.claimAndOpen(cid, manifest, manifestBytes, output, 'folder' in target || mayResume, options)
      .finally(() => { this.opening.delete(contentId) })
    this.opening.set(contentId, opening)
    return await waitForCompletion(await opening, options)
  }

  private async claimAndOpen (cid: CID, manifest: Manifest, manifestBytes: Uint8Array, output: string, claim: boolean, options: GetOptions): Promise<OpenSwarm> {
    const contentId = cid.toString()
    const force = options.force === true
    // what a get of this content left unfinished (a cancelled one): gone on with, its pieces verified again
    const resume = claim && !force && (await this.init.records.outputOf(output)) === contentId && await this.init.storage.isPartialOutput(output, manifest)
    if (claim && !resume) await this.claim(output, contentId, force)
    return await this.open(cid, manifest, manifestBytes, output, options, resume)
  }

  /**
   * A get of content being downloaded here: its `only` files join the selection, and a get
   * without `only` takes every file (it goes on from what is there).
   */
  private widen (entry: OpenSwarm, options: GetOptions): void {
    const { swarm } = entry
    const more = options.only === undefined ? undefined : resolveSelection(swarm.manifest, options.only)
    // the swarm takes the selection at once; its record follows (the get waits from this turn on)
    this.init.opener.select(entry, widenSelection(swarm.selection, more)).catch((err: Error) => {
      this.init.log.error('cannot record the selection of %s - %e', swarm.contentId, err)
    })
  }

  /** Content already open here: wait for it where it is, or copy it once it is complete. */
  private async getExisting (entry: OpenSwarm, output: string, options: GetOptions): Promise<string> {
    const { swarm } = entry
    if (options.sequential === true) swarm.sequential = true
    if (swarm.path === output) return await waitForCompletion(entry, options)
    if (swarm.state !== 'seeding' || !swarm.whole) {
      // a download of some files is not whole either: it goes on only where it is
      throw new PathError(`${swarm.contentId} is already being downloaded to ${swarm.path}${swarm.whole ? '' : ' (some files only: a get into that path fetches more)'}`)
    }
    await this.claim(output, swarm.contentId, options.force === true)
    await this.noteOutput(output, swarm.contentId)
    await copyVerified(swarm, this.init.storage.open({ root: output, manifest: swarm.manifest, mode: 'write', fresh: true, download: true }))
    options.onProgress?.({ type: 'shoal:get:complete', contentId: swarm.contentId, path: output })
    return output
  }

  /** `resume`: the output holds part of this content already; what it holds is verified and kept. */
  private async open (cid: CID, manifest: Manifest, manifestBytes: Uint8Array, output: string, options: GetOptions, resume = false): Promise<OpenSwarm> {
    const { registry, records, storage } = this.init
    const contentId = cid.toString()
    const selection = options.only === undefined ? undefined : resolveSelection(manifest, options.only)
    const only = selectionPaths(manifest, selection)
    const record: SwarmRecord = { contentId, path: output, origin: 'download', ...(only === undefined ? {} : { only }) }
    const have = resume ? await piecesOnDisk(storage, output, manifest, this.init.lifetime) : new Bitfield(pieceCount(manifest))
    // independent files, written at once (each is flushed: in turn, their waits added up); a
    // have record from the start: a restart resumes from records, never by rehashing
    await allSettledOrThrow([records.saveManifest(contentId, manifestBytes), this.noteOutput(output, contentId), records.have(contentId).save(have)])
    // the swarm is on record before its files exist: a crash in between leaves a download
    // that the next start (or get) goes on with, not a stray file that blocks the path
    await registry.save([record])
    const store = storage.open({ root: output, manifest, mode: 'write', fresh: !resume, download: true, have })
    try {
      await store.prepare()
      if (have.complete) await completeOnDisk(store, record)
    } catch (err) {
      await store.close().catch(() => {})
      await registry.save().catch(() => {})
      throw err
    }
    const entry = this.init.opener.open({ cid, record, manifest, manifestBytes, store, have, sequential: options.sequential === true, selection: only === undefined ? undefined : selection })
    // pieces from disk: announced now (the first verified piece announces a new download)
    if (have.count > 0) this.init.network.provide(cid)
    if (have.complete) await this.seedResumed(entry)
    return entry
  }

  /** A resumed output that was whole after all: seeded from its files while they are unchanged, as a completed get is. */
  private async seedResumed (entry: OpenSwarm): Promise<void> {
    if (entry.record.files !== undefined) this.init.opener.guard(entry.store, entry.record.files)
    await this.init.registry.save()
    await entry.have.remove()
  }

  /** Both names a download may leave at `path`: what `--force` may replace later. */
  private async noteOutput (path: string, contentId: string): Promise<void> {
    await this.init.records.noteOutputs([path, partPath(path)], contentId)
  }

  /**
   * Make `path` the download's: free, or (with `force`) holding what a download of the same
   * content left there. Anything else stays: content named `.ssh` must not delete ~/.ssh.
   */
  private async claim (path: string, contentId: string, force: boolean): Promise<void> {
    const madeByThisContent = (await this.init.records.outputOf(path)) === contentId
    const taken = (there: string): string => !force
      ? `${there} already exists (${madeByThisContent ? 'use --force to replace it' : 'move it away or choose another --output'})`
      : `${there} was not made by a download of ${contentId}: --force replaces only what a get of the same content left there; move it away yourself or choose another --output`
    await this.init.storage.claimPath(path, { replace: force && madeByThisContent, taken })
  }

  /**
   * The manifest from the first peer that serves it, looking again until the discovery
   * timeout; what the search sees is reported as it goes, and explains a failure.
   */
  private async findManifest (cid: CID, options: GetOptions): Promise<Uint8Array> {
    const { network, lifetime, log } = this.init
    const timeout = options.discoveryTimeout ?? this.init.timeouts.discovery
    const deadline = AbortSignal.any([lifetime, AbortSignal.timeout(timeout), ...(options.signal === undefined ? [] : [options.signal])])
    const tally = new SearchTally(network)
    const contentId = cid.toString()
    const report = (): void => { options.onProgress?.({ type: 'shoal:get:searching', contentId, search: tally.report() }) }
    const reports = options.onProgress === undefined ? undefined : setInterval(report, SEARCH_REPORTS.interval)
    if (reports !== undefined) report()
    let found: Uint8Array | undefined
    try {
      found = await new ManifestSearch({ network, log, tunables: this.init.manifestSearch, tally }).find(cid, deadline)
    } finally {
      clearInterval(reports)
    }
    if (found !== undefined) return found
    options.signal?.throwIfAborted()
    if (lifetime.aborted) throw new NodeStoppedError('the node stopped while looking for the content')
    throw new NoProvidersError(explainNotFound(contentId, timeout, tally.report()))
  }
}

/** Waits for every write, then rejects with the first failure, if any: nothing runs on after the get has failed. */
async function allSettledOrThrow (writes: Array<Promise<void>>): Promise<void> {
  for (const result of await Promise.allSettled(writes)) if (result.status === 'rejected') throw result.reason
}

/** A get into the path of a download of some files only: its selection may grow. */
function widens (entry: OpenSwarm, output: string): boolean {
  return entry.swarm.selection !== undefined && entry.swarm.path === output && (entry.swarm.state === 'downloading' || entry.swarm.state === 'seeding')
}

function reportManifest (contentId: string, manifest: Manifest, options: GetOptions): void {
  options.onProgress?.({ type: 'shoal:get:manifest', contentId, name: manifest.name, size: totalSize(manifest), pieceCount: pieceCount(manifest) })
}

/** The pieces a partial output already holds, read and hashed (nothing is on record of them). */
async function piecesOnDisk (storage: ContentStorage, root: string, manifest: Manifest, signal: AbortSignal): Promise<Bitfield> {
  const reader = storage.open({ root, manifest, mode: 'read', download: true })
  try {
    return await verifyStoredPieces(reader, manifest, signal)
  } finally {
    await reader.close()
  }
}

/** Every piece was on disk already: the empty files made, and the files' sizes and times on record. */
async function completeOnDisk (store: PieceStore, record: SwarmRecord): Promise<void> {
  await store.complete()
  await store.flush()
  record.files = await store.fingerprints()
}

/** Resolves with the content's path once the swarm seeds; reports progress on the way. */
export async function waitForCompletion (entry: OpenSwarm, options: GetOptions): Promise<string> {
  const { swarm } = entry
  const report = (s: Swarm): void => {
    // a download of some files: the bytes of those files, so that progress ends at 100%
    const { size, have } = s.selection === undefined ? { size: s.layout.totalSize, have: bytesHave(s) } : s.selectedBytes
    options.onProgress?.({ type: 'shoal:get:progress', contentId: s.contentId, piecesHave: s.have.count, pieceCount: s.pieceCount, bytesHave: have, size, peers: s.peers.size })
  }
  const done = (): string => {
    options.onProgress?.({ type: 'shoal:get:complete', contentId: swarm.contentId, path: swarm.path })
    return swarm.path
  }
  report(swarm)
  if (swarm.state === 'seeding') return done()
  // aborted while the swarm was being opened: its listener would never fire
  options.signal?.throwIfAborted()
  return await new Promise<string>((resolve, reject) => {
    const onAbort = (): void => { finish(); reject(options.signal?.reason) }
    const finish = (): void => {
      entry.waiters.delete(waiter)
      options.signal?.removeEventListener('abort', onAbort)
    }
    const waiter: SwarmWaiter = {
      progress: report,
      complete: () => { finish(); resolve(done()) },
      error: (err) => { finish(); reject(err) }
    }
    entry.waiters.add(waiter)
    options.signal?.addEventListener('abort', onAbort, { once: true })
  })
}
