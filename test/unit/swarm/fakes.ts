/**
 * Stand-ins for what the swarm layer is given by the node: records in memory, storage of
 * memory stores, and a network whose peers are scripted (a seeder that answers every request).
 */
import { defaultLogger } from '@libp2p/logger'
import { Bitfield } from '../../../src/core/bitfield.js'
import { contentIdOf } from '../../../src/core/content-id.js'
import { encodeManifest, pieceCount } from '../../../src/core/manifest.js'
import { NoProvidersError, PathError, UnknownContentError } from '../../../src/errors.js'
import { MemoryPieceStore } from '../../../src/storage/memory-store.js'
import { SwarmOpener } from '../../../src/swarm/opener.js'
import { SwarmRegistry } from '../../../src/swarm/registry.js'
import { SwarmRestorer } from '../../../src/swarm/restore.js'
import { pieceOf } from '../fixtures.js'
import type { Content } from '../fixtures.js'
import type { PieceWire, PieceWireHandler, SwarmLookup } from '../../../src/core/wire.js'
import type { ImportedContent } from '../../../src/storage/import-content.js'
import type { Manifest } from '../../../src/core/manifest.js'
import type { ContentStorage, FileFingerprints, PieceStore, StoreInit } from '../../../src/storage/piece-store.js'
import type { HaveRecord, RecordedPieces, SwarmRecord, SwarmRecords } from '../../../src/swarm/records.js'
import type { OpenSwarm } from '../../../src/swarm/registry.js'
import type { AnnouncementDelays } from '../../../src/swarm/download-announcement.js'
import type { SwarmLimits } from '../../../src/swarm/swarm.js'
import type { FoundPeer, NetworkConnectivity, PeerNetwork } from '../../../src/swarm/types.js'
import type { CID } from 'multiformats/cid'

export const logger = defaultLogger()

export const limits: SwarmLimits = {
  maxInflightBytesPerPeer: 256 * 1024,
  maxQueuedRequestsPerPeer: 64,
  maxPeersPerSwarm: 8,
  maxBadPieces: 3,
  uploadSlots: 4
}

export const timeouts = { request: 5000, discovery: 300, rediscoverInterval: 1000, seedCheck: 60_000 }

/** Content as the node would know it: manifest bytes and content id too. */
export interface KnownContent extends Content {
  cid: CID
  manifestBytes: Uint8Array
}

export function known (content: Content): KnownContent {
  const manifestBytes = encodeManifest(content.manifest)
  return { ...content, manifestBytes, cid: contentIdOf(manifestBytes) }
}

export class MemoryHaveRecord implements HaveRecord {
  bits?: Bitfield
  unsynced?: Bitfield
  /** Saves in order: whether each was quick (some pieces unsynced). */
  readonly saves: Array<{ count: number, quick: boolean }> = []
  async load (count: number): Promise<RecordedPieces | undefined> {
    if (this.bits?.length !== count) return undefined
    return { have: new Bitfield(count, this.bits.toBytes()), unsynced: new Bitfield(count, this.unsynced?.toBytes()) }
  }

  async save (have: Bitfield, unsynced?: Bitfield): Promise<void> {
    this.bits = new Bitfield(have.length, have.toBytes())
    this.unsynced = unsynced === undefined ? undefined : new Bitfield(unsynced.length, unsynced.toBytes())
    this.saves.push({ count: have.count, quick: unsynced !== undefined && unsynced.count > 0 })
  }

  async remove (): Promise<void> {
    this.bits = undefined
  }
}

export class MemoryRecords implements SwarmRecords {
  list: SwarmRecord[] = []
  readonly manifests = new Map<string, Uint8Array>()
  readonly haves = new Map<string, MemoryHaveRecord>()

  async loadList (): Promise<SwarmRecord[]> {
    return structuredClone(this.list)
  }

  async saveList (records: SwarmRecord[]): Promise<void> {
    this.list = structuredClone(records)
  }

  async saveManifest (contentId: string, bytes: Uint8Array): Promise<void> {
    this.manifests.set(contentId, bytes)
  }

  async loadManifest (contentId: string): Promise<Uint8Array> {
    const bytes = this.manifests.get(contentId)
    if (bytes === undefined) throw new Error(`no manifest for ${contentId}`)
    return bytes
  }

  readonly outputs = new Map<string, string>()

  async noteOutputs (paths: readonly string[], contentId: string): Promise<void> {
    for (const path of paths) this.outputs.set(path, contentId)
  }

  async outputOf (path: string): Promise<string | undefined> {
    return this.outputs.get(path)
  }

  have (contentId: string): MemoryHaveRecord {
    let record = this.haves.get(contentId)
    if (record === undefined) this.haves.set(contentId, record = new MemoryHaveRecord())
    return record
  }
}

/** A memory store whose files' times a test can move on, as a write to the files would. */
export class TouchableStore extends MemoryPieceStore {
  version = 0
  onChanged?: () => void

  override async fingerprints (): Promise<FileFingerprints> {
    return (await super.fingerprints()).map(([size]) => [size, this.version])
  }

  override serveWhileUnchanged (_verifiedAs: FileFingerprints, onChanged: () => void): void {
    this.onChanged = onChanged
  }

  /** Called once the store's files are removed. */
  onRemoved?: () => void

  override async remove (): Promise<void> {
    await super.remove()
    this.onRemoved?.()
  }
}

/** Paths in memory: one store per root, kept across opens (as files are); `add` finds content put at a path. */
export class MemoryStorage implements ContentStorage {
  readonly stores = new Map<string, TouchableStore>()
  readonly contents = new Map<string, KnownContent>()
  readonly claimed: string[] = []

  open (init: StoreInit): PieceStore {
    let store = this.stores.get(init.root)
    if (store === undefined) {
      const made = store = new TouchableStore(init.manifest)
      this.stores.set(init.root, made)
      made.onRemoved = () => { if (this.stores.get(init.root) === made) this.stores.delete(init.root) }
    }
    return store
  }

  async claimPath (path: string, { replace, taken }: { replace: boolean, taken: (path: string) => string }): Promise<void> {
    if ((this.stores.has(path) || this.contents.has(path)) && !replace) throw new PathError(taken(path))
    this.stores.delete(path)
    this.claimed.push(path)
  }

  /** A store a download made at `path` that lacks some piece (content `put` there is whole). */
  async isPartialOutput (path: string, manifest: Manifest): Promise<boolean> {
    const store = this.stores.get(path)
    if (store === undefined || this.contents.has(path)) return false
    for (let i = 0; i < pieceCount(manifest); i++) {
      if (await store.readPiece(i).then(() => false, () => true)) return true
    }
    return false
  }

  /** Content with every piece at `path`, as if its files were there. */
  async put (path: string, content: KnownContent): Promise<void> {
    this.contents.set(path, content)
    const store = this.open({ root: path, manifest: content.manifest, mode: 'write' })
    for (let i = 0; i < pieceCount(content.manifest); i++) await store.writePiece(i, [pieceOf(content, i)])
  }

  async importContent (path: string): Promise<ImportedContent> {
    const content = this.contents.get(path)
    if (content === undefined) throw new PathError(`${path}: no such file or folder`)
    return { contentId: content.cid, manifest: content.manifest, manifestBytes: content.manifestBytes, root: path, skippedLinks: [] }
  }
}

/**
 * Peers that hold content: each serves its manifest, and a piece exchange with one attaches
 * a wire to the swarm that answers every request with the piece.
 */
export class FakeNetwork implements PeerNetwork {
  readonly localPeerId = 'local'
  readonly provided: string[] = []
  readonly connected: string[] = []
  readonly seeders = new Map<string, KnownContent>()
  /** Pieces no seeder answers a request for (a download that stays under way). */
  readonly withheld = new Set<number>()
  swarms?: SwarmLookup

  /** Seeders are found by a search, never already connected. */
  connectedPeers (): string[] {
    return []
  }

  async * findPeers (cid: CID, signal: AbortSignal): AsyncIterable<FoundPeer> {
    for (const [peer, content] of this.seeders) {
      signal.throwIfAborted()
      if (content.cid.equals(cid)) yield { peerId: peer, source: 'provider' }
    }
  }

  /** Alone, with no bootstrap peer: a search that finds no seeder says so. */
  connectivity (): NetworkConnectivity {
    return { connections: 0, bootstrap: { addresses: [], connected: 0, failedDials: 0 }, privateSwarm: false }
  }

  async connect (peer: string, contentId: string): Promise<void> {
    const content = this.seeders.get(peer)
    const endpoint = this.swarms?.endpoint(contentId)
    if (content === undefined || endpoint === undefined) throw new UnknownContentError(`no swarm for ${contentId}`)
    this.connected.push(peer)
    const wire = new SeedingWire(peer, content, this.withheld)
    const handler = endpoint.attach(wire, Bitfield.full(pieceCount(content.manifest)).toBytes())
    if (typeof handler === 'string') throw new Error(`refused: ${handler}`)
    wire.handler = handler
    queueMicrotask(() => { handler.onUnchoke() })
  }

  async fetchManifest (peer: string, cid: CID): Promise<Uint8Array> {
    const content = this.seeders.get(peer)
    if (content?.cid.equals(cid) !== true) throw new NoProvidersError(`${peer} has no ${cid.toString()}`)
    return content.manifestBytes
  }

  provide (cid: CID): void {
    this.provided.push(cid.toString())
  }
}

/** A seeder's end of a piece exchange: every request is answered with the whole piece, soon. */
class SeedingWire implements PieceWire {
  handler?: PieceWireHandler
  readonly outbound = true
  readonly stats = { uploaded: 0, downloaded: 0 }
  private closed = false

  constructor (readonly remotePeer: string, private readonly content: KnownContent, private readonly withheld: ReadonlySet<number>) {}

  sendRequest (index: number): void {
    if (this.withheld.has(index)) return
    setImmediate(() => { if (!this.closed) this.handler?.onPieceData(index, 0, pieceOf(this.content, index)) })
  }

  sendHave (): void {}
  sendCancel (): void {}
  sendReject (): void {}
  sendChoke (): void {}
  sendUnchoke (): void {}
  async sendPiece (): Promise<boolean> { return true }

  close (): void {
    if (this.closed) return
    this.closed = true
    this.handler?.onClose()
  }
}

/** The parts every swarm-layer spec builds on. */
export function parts (): { records: MemoryRecords, storage: MemoryStorage, network: FakeNetwork, registry: SwarmRegistry } {
  const records = new MemoryRecords()
  const registry = new SwarmRegistry(records)
  const network = new FakeNetwork()
  network.swarms = registry
  return { records, storage: new MemoryStorage(), network, registry }
}

export interface Parts extends ReturnType<typeof parts> {
  opener: SwarmOpener
  restorer: SwarmRestorer
  lifetime: AbortController
  /** Seed checks asked for by stores (a read found a changed file). */
  changes: number
  /** As the node stops: the lifetime ends, the registry closes. */
  stop(): Promise<void>
}

/** The parts, with an opener and a restorer over them. */
export function openable (options: { announceDelays?: AnnouncementDelays } = {}): Parts {
  const base = parts()
  const lifetime = new AbortController()
  const log = logger.forComponent('shoal:test:swarm')
  // announced as it completes unless a spec says otherwise
  const opener = new SwarmOpener({ announceDelays: { partial: 60_000, complete: 0 }, ...base, ...options, limits, timeouts, logger, lifetime: lifetime.signal, onChangedOnDisk: () => { out.changes++ } })
  const out: Parts = {
    ...base,
    opener,
    restorer: new SwarmRestorer({ ...base, opener, log, lifetime: lifetime.signal }),
    lifetime,
    changes: 0,
    stop: async () => {
      lifetime.abort()
      await base.registry.close()
    }
  }
  return out
}

/** Open `content` at `path` as this node's own: every piece there, seeding. */
export async function seedHere (p: Parts, path: string, content: KnownContent): Promise<OpenSwarm> {
  await p.storage.put(path, content)
  const store = p.storage.open({ root: path, manifest: content.manifest, mode: 'read' })
  const record: SwarmRecord = { contentId: content.cid.toString(), path, origin: 'seed', files: await store.fingerprints() }
  await p.records.saveManifest(record.contentId, content.manifestBytes)
  return p.opener.open({ cid: content.cid, record, manifest: content.manifest, manifestBytes: content.manifestBytes, store, have: Bitfield.full(pieceCount(content.manifest)) })
}

/** Open `content` at `path` with no pieces yet: downloading, from whoever the network offers. */
export function downloadHere (p: Parts, path: string, content: KnownContent): OpenSwarm {
  const store = p.storage.open({ root: path, manifest: content.manifest, mode: 'write' })
  const record: SwarmRecord = { contentId: content.cid.toString(), path, origin: 'download' }
  return p.opener.open({ cid: content.cid, record, manifest: content.manifest, manifestBytes: content.manifestBytes, store, have: new Bitfield(pieceCount(content.manifest)) })
}
