/**
 * A Swarm over a MemoryPieceStore, with fake wires standing in for the piece-exchange
 * protocol: what the swarm sends is recorded, what peers send is delivered by calling the
 * handler `attach` returned, as the protocol would.
 */
import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { Bitfield } from '../../../src/core/bitfield.js'
import { SWARM } from '../../../src/config/defaults.js'
import { MemoryPieceStore } from '../../../src/storage/memory-store.js'
import { Swarm } from '../../../src/swarm/swarm.js'
import { makeContent, pieceOf } from '../fixtures.js'
import type { Content } from '../fixtures.js'
import type { Pacing, PieceWire, PieceWireHandler, ReadWatch, RejectReason } from '../../../src/core/wire.js'
import type { SwarmInit, SwarmObserver } from '../../../src/swarm/swarm.js'

export const PIECE = 16 * 1024
/** Five pieces, the last one short. */
export const PIECES = 5

export type WireCall =
  | ['have' | 'request' | 'cancel' | 'piece', number]
  | ['reject', number, RejectReason]
  | ['close', Error | undefined]
  | ['choke' | 'unchoke']

/** Records what the swarm sends to one peer; closing it ends the session, as the real wire does. */
export class FakeWire implements PieceWire {
  readonly stats = { uploaded: 0, downloaded: 0 }
  readonly calls: WireCall[] = []
  readonly pacings: Array<Pacing | undefined> = []
  /** The read watch of each piece sent, in order: a test calls onStall as the wire would. */
  readonly watches: Array<ReadWatch | undefined> = []
  /** Set, piece sends wait for it (a peer that does not read). */
  hold?: Promise<boolean>
  handler?: PieceWireHandler
  closed = false

  constructor (readonly remotePeer: string, readonly outbound = true) {}

  sendHave (index: number): void { this.calls.push(['have', index]) }
  sendRequest (index: number): void { this.calls.push(['request', index]) }
  sendCancel (index: number): void { this.calls.push(['cancel', index]) }
  sendReject (index: number, reason: RejectReason): void { this.calls.push(['reject', index, reason]) }
  sendChoke (): void { this.calls.push(['choke']) }
  sendUnchoke (): void { this.calls.push(['unchoke']) }
  async sendPiece (index: number, data: Uint8Array, pacing?: Pacing, watch?: ReadWatch): Promise<boolean> {
    if (this.closed) return false
    this.calls.push(['piece', index])
    this.pacings.push(pacing)
    this.watches.push(watch)
    this.stats.uploaded += data.byteLength
    return await (this.hold ?? true)
  }

  close (err?: Error): void {
    if (this.closed) return
    this.closed = true
    this.calls.push(['close', err])
    this.handler?.onClose(err)
  }

  /** Indexes of the calls of one kind, in order. */
  sent (kind: 'have' | 'request' | 'cancel' | 'piece'): number[] {
    return this.calls.filter(c => c[0] === kind).map(c => c[1] as number)
  }

  has (call: WireCall): boolean {
    return this.calls.some(c => JSON.stringify(c) === JSON.stringify(call))
  }
}

export interface Observed {
  verified: number[]
  misbehaviour: Array<{ peerId: string, reason: string, fatal: boolean }>
  complete: number
  left: string[]
}

export interface Kit {
  content: Content
  store: MemoryPieceStore
  swarm: Swarm
  observed: Observed
}

/** A swarm holding `have` of the content's pieces (all of them: a seed). */
export async function swarmWith (have: number[] | 'all', init: Partial<SwarmInit> = {}): Promise<Kit> {
  const content = makeContent([{ path: 'file.bin', size: (PIECES - 1) * PIECE + 1000 }], { pieceSize: PIECE })
  const store = new MemoryPieceStore(content.manifest)
  const bits = new Bitfield(PIECES)
  for (const i of have === 'all' ? [...Array(PIECES).keys()] : have) {
    await store.writePiece(i, [pieceOf(content, i)])
    bits.set(i)
  }
  const observed: Observed = { verified: [], misbehaviour: [], complete: 0, left: [] }
  const observer: SwarmObserver = {
    onPieceVerified: (_s, index) => { observed.verified.push(index) },
    onMisbehaviour: (_s, peerId, reason, fatal) => { observed.misbehaviour.push({ peerId, reason, fatal }) },
    onComplete: () => { observed.complete++ },
    onPeerLeft: (_s, peerId) => { observed.left.push(peerId) }
  }
  const swarm = new Swarm({
    contentId: 'content',
    manifest: content.manifest,
    path: '/nowhere/file.bin',
    store,
    have: bits,
    localPeerId: 'local',
    limits: { maxInflightBytesPerPeer: 1024 * 1024, maxQueuedRequestsPerPeer: 16, maxPeersPerSwarm: 10, maxBadPieces: 3, uploadSlots: 4 },
    timeouts: { request: 30_000 },
    tuning: SWARM,
    log: defaultLogger().forComponent('shoal:test:swarm'),
    observer,
    ...init
  })
  return { content, store, swarm, observed }
}

/** A peer with `pieces` (all: a seed) joins; resolves once the swarm's first choke round ran. */
export async function join (swarm: Swarm, peerId: string, pieces: number[] | 'all' = []): Promise<{ wire: FakeWire, handler: PieceWireHandler }> {
  const wire = new FakeWire(peerId)
  const bits = new Bitfield(PIECES)
  for (const i of pieces === 'all' ? [...Array(PIECES).keys()] : pieces) bits.set(i)
  const handler = swarm.attach(wire, bits.toBytes())
  assert.ok(typeof handler !== 'string', `refused: ${String(handler)}`)
  wire.handler = handler
  await settle()
  return { wire, handler }
}

/** Deliver a whole piece as the wire would: frames in order from offset 0. */
export function deliver (handler: PieceWireHandler, index: number, data: Uint8Array, frame = 4096): void {
  for (let offset = 0; offset < data.byteLength; offset += frame) handler.onPieceData(index, offset, data.subarray(offset, offset + frame))
}

/** Let queued microtasks and store I/O run. */
export async function settle (): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve))
}
