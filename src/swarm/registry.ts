import { TypedEventEmitter } from 'main-event'
import { NodeStoppedError, UnknownContentError } from '../errors.js'
import type { HaveCheckpoint } from './checkpoint.js'
import type { SwarmEvents } from './events.js'
import type { PeerFinder } from './peer-finder.js'
import type { HaveRecord, SwarmRecord, SwarmRecords } from './records.js'
import type { Swarm } from './swarm.js'
import type { SwarmEndpoint, SwarmLookup } from '../core/wire.js'
import type { PieceStore } from '../storage/piece-store.js'
import type { CID } from 'multiformats/cid'

/** Someone waiting on a swarm (a `get`): told of its progress, and of its end. */
export interface SwarmWaiter {
  progress(swarm: Swarm): void
  complete(swarm: Swarm): void
  error(err: Error): void
}

/** One swarm open on this node, with what keeps it: its store, records, checkpoint and peer finder. */
export interface OpenSwarm {
  readonly cid: CID
  readonly swarm: Swarm
  readonly store: PieceStore
  readonly manifestBytes: Uint8Array
  /** What the swarm list says of it; its `files` are set once its content is complete. */
  record: SwarmRecord
  readonly have: HaveRecord
  readonly waiters: Set<SwarmWaiter>
  /** While downloading: keeps the have record behind the bitfield. */
  checkpoint?: HaveCheckpoint
  finder?: PeerFinder
}

/**
 * The node's swarms by content id: what is open, the protocols' lookups, the typed events,
 * and the swarm list on record (the open swarms, and those a start could not bring back).
 */
export class SwarmRegistry implements SwarmLookup {
  /** Swarms opening and closing, peers joining and leaving, pieces verified: for the swarms view. */
  readonly events = new TypedEventEmitter<SwarmEvents>()
  private readonly entries = new Map<string, OpenSwarm>()
  private readonly unrestored: SwarmRecord[] = []
  private closed = false

  constructor (private readonly records: SwarmRecords) {}

  get (contentId: string): OpenSwarm | undefined {
    return this.entries.get(contentId)
  }

  list (): OpenSwarm[] {
    return [...this.entries.values()]
  }

  swarm (contentId: string): Swarm | undefined {
    return this.entries.get(contentId)?.swarm
  }

  /** The swarm a piece exchange may attach to: one that trades. */
  endpoint (contentId: string): SwarmEndpoint | undefined {
    const swarm = this.entries.get(contentId)?.swarm
    return swarm?.state === 'seeding' || swarm?.state === 'downloading' || swarm?.state === 'partial' ? swarm : undefined
  }

  /** For the manifest exchange. */
  manifestBytes (cid: CID): Uint8Array | undefined {
    return this.entries.get(cid.toString())?.manifestBytes
  }

  /** Nothing may open after close. */
  assertOpen (): void {
    if (this.closed) throw new NodeStoppedError('the node stopped')
  }

  /** A swarm opened (it replaces any entry of the same content id). */
  add (entry: OpenSwarm): void {
    this.assertOpen()
    this.entries.set(entry.record.contentId, entry)
    this.emit('swarm:added', { contentId: entry.record.contentId, state: entry.swarm.state })
  }

  /** Forget `entry` (if it is still the open one), e.g. when it could not be reopened. */
  drop (entry: OpenSwarm): void {
    const { contentId } = entry.record
    if (this.entries.get(contentId) !== entry) return
    this.entries.delete(contentId)
    this.emit('swarm:removed', { contentId })
  }

  /** Close a swarm for good (a new add or get replaces it): its have record goes, and the list is saved. */
  async remove (contentId: string): Promise<void> {
    const entry = this.entries.get(contentId)
    if (entry === undefined) throw new UnknownContentError(`unknown content ${contentId}`)
    this.entries.delete(contentId)
    await closeSwarm(entry)
    await entry.have.remove()
    await this.save()
    this.emit('swarm:removed', { contentId })
  }

  /** A remembered swarm that could not be brought back: kept on the list, for the next start. */
  keepUnrestored (record: SwarmRecord): void {
    this.unrestored.push(record)
  }

  /** Save the swarm list: the open swarms, those not restored this run, and `opening`. */
  async save (opening: SwarmRecord[] = []): Promise<void> {
    // after close the list is final: a late save would drop the swarms close stopped
    if (this.closed) return
    const live = [...this.entries.values()].map(e => e.record)
    await this.records.saveList([...live, ...opening, ...this.unrestored.filter(r => !this.entries.has(r.contentId))])
  }

  /** Someone (a protocol module: peer exchange) suggests `peer` for the swarm of `contentId`: tried like a found provider. */
  offerPeer (contentId: string, peer: string): void {
    this.entries.get(contentId)?.finder?.heardOf(peer)
  }

  /** The node's budget of peers has a place again: every incomplete swarm tries the peers it held off. */
  roomFreed (): void {
    for (const entry of this.entries.values()) entry.finder?.roomFreed()
  }

  /** A peer connected to the node: every incomplete swarm offers it an exchange. */
  onPeerConnected (peer: string): void {
    for (const entry of this.entries.values()) entry.finder?.offer(peer)
  }

  /** Dispatch only when someone listens: piece events are on the hot path. */
  emit<K extends keyof SwarmEvents> (type: K, detail: SwarmEvents[K]['detail']): void {
    if (this.events.listenerCount(type) === 0) return
    this.events.safeDispatchEvent(type, { detail })
  }

  /** The node stops: every waiter fails, every swarm stops; nothing opens or saves after this. */
  async close (): Promise<void> {
    this.closed = true
    const stopped = new NodeStoppedError('the node stopped before the download completed')
    const entries = [...this.entries.values()]
    for (const entry of entries) {
      entry.finder?.stop()
      for (const waiter of entry.waiters) waiter.error(stopped)
    }
    await Promise.all(entries.map(async e => { await closeSwarm(e) }))
    this.entries.clear()
  }
}

/** Stop a swarm and what keeps it; `as` 'checking' while its files are verified again. */
export async function closeSwarm (entry: OpenSwarm, as: 'stopped' | 'checking' = 'stopped'): Promise<void> {
  entry.finder?.stop()
  await entry.checkpoint?.close()
  await entry.swarm.stop(as)
}
