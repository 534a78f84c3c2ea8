import type { SwarmEvents } from './observer-events.js'
import type { PeerSession } from './peer-session.js'
import type { PieceIntake } from './piece-intake.js'
import type { Requester } from './requester.js'
import type { SessionHost } from './session-host.js'
import type { SwarmLimits } from './swarm-init.js'
import type { SwarmPeers } from './swarm-peers.js'
import type { Uploader } from './upload.js'
import type { Bitfield } from '../core/bitfield.js'
import type { PieceLayout } from '../core/layout.js'
import type { PiecePicker } from '../core/piece-picker.js'
import type { BufferPool } from '../utils/buffer-pool.js'
import type { Logger } from '@libp2p/interface'

/** The swarm's parts a session's news goes to; read at each call (the swarm makes them after its routes). */
export interface RoutedParts {
  readonly requester: Pick<Requester, 'fill' | 'release'>
  readonly uploader: Pick<Uploader, 'admit' | 'withdraw' | 'serve' | 'rechoke' | 'peerGained'>
  readonly members: Pick<SwarmPeers, 'left'>
  readonly intake: Pick<PieceIntake, 'received'>
}

export interface SessionRoutesInit {
  layout: Pick<PieceLayout, 'pieceLength'>
  have: Pick<Bitfield, 'has'>
  picker: Pick<PiecePicker, 'peerGained'>
  buffers: Pick<BufferPool, 'take' | 'give'>
  /** Read at each request: the swarm's limits object. */
  limits: Pick<SwarmLimits, 'maxQueuedRequestsPerPeer'>
  refusalMs: number
  parts: RoutedParts
  events: Pick<SwarmEvents, 'pieceFailed' | 'misbehaved'>
  log: Logger
}

/**
 * The swarm's side of every peer session (SessionHost): hands each report of a session to
 * the part that owns the answer (picker, requester, uploader, intake, peers). Holds no state.
 */
export class SessionRoutes implements SessionHost {
  readonly refusalMs: number
  private readonly parts: RoutedParts

  constructor (private readonly init: SessionRoutesInit) {
    this.refusalMs = init.refusalMs
    this.parts = init.parts
  }

  get maxQueuedRequests (): number {
    return this.init.limits.maxQueuedRequestsPerPeer
  }

  pieceLength (index: number): number {
    return this.init.layout.pieceLength(index)
  }

  hasPiece (index: number): boolean {
    return this.init.have.has(index)
  }

  onPeerHave (session: PeerSession, index: number): void {
    this.init.picker.peerGained(index)
    if (!this.init.have.has(index)) this.parts.requester.fill(session)
    else this.parts.uploader.peerGained(session)
  }

  onRequestEnded (session: PeerSession, index: number): void {
    const { requester } = this.parts
    this.init.events.pieceFailed(session.peerId, index, 'rejected')
    requester.release(index)
    requester.fill(session)
  }

  onUnchoked (session: PeerSession): void {
    this.parts.requester.fill(session)
  }

  admitUpload (session: PeerSession, index: number, insisted: boolean): boolean {
    return this.parts.uploader.admit(session, index, insisted)
  }

  withdrawUpload (session: PeerSession, index: number): void {
    this.parts.uploader.withdraw(session, index)
  }

  onUploadWanted (session: PeerSession): void {
    this.parts.uploader.serve(session)
  }

  onStoppedReading (session: PeerSession): void {
    this.init.log('peer %s does not read what we send it: choked', session.peerId)
    this.init.events.misbehaved(session.peerId, `stalled reading ${session.score.count('read-stall')} time(s)`, false)
    this.parts.uploader.rechoke()
  }

  onPeerClosed (session: PeerSession, err?: Error): void {
    this.parts.members.left(session, err)
  }

  takeBuffer (): Uint8Array {
    return this.init.buffers.take()
  }

  releaseBuffer (buffer: Uint8Array): void {
    this.init.buffers.give(buffer)
  }

  onPieceReceived (session: PeerSession, index: number, piece: Uint8Array, requestedAt: number): void {
    this.parts.intake.received(session, index, piece, requestedAt)
  }
}
