import type { PieceFailure } from './events.js'
import type { Swarm } from './swarm.js'
import type { Bitfield } from '../core/bitfield.js'
import type { Manifest } from '../core/manifest.js'
import type { PieceHashing } from '../core/piece-hash.js'
import type { FileSelection } from '../core/selection.js'
import type { PieceStore } from '../storage/piece-store.js'
import type { SessionBudget } from './session-budget.js'
import type { TokenBucket } from '../utils/token-bucket.js'
import type { Logger } from '@libp2p/interface'

/** Node-wide rate limits, shared by every swarm. */
export interface RateLimits {
  upload: TokenBucket
  download: TokenBucket
}

/**
 * 'partial': a seed whose files changed on disk. It serves the pieces that still match and
 * fetches nothing (the files are the user's own, not ours to overwrite).
 * 'checking': stopped while its files are verified again; a new swarm takes its place.
 */
export type SwarmState = 'downloading' | 'seeding' | 'partial' | 'checking' | 'stopped' | 'error'

/** The config's `limits` a swarm uses. */
export interface SwarmLimits {
  maxInflightBytesPerPeer: number
  maxQueuedRequestsPerPeer: number
  maxPeersPerSwarm: number
  maxBadPieces: number
  /** Peers we upload to at once (one of them the optimistic unchoke). */
  uploadSlots: number
}

/** The config's `timeouts` a swarm uses. */
export interface SwarmTimeouts {
  /** ms before an unanswered request goes to another peer; a peer silent for a third of it is snubbed. */
  request: number
}

/** The config's `timeouts` the swarms' owner uses, under their config names. */
export interface SwarmsTimeouts extends SwarmTimeouts {
  /** How long `get` looks for a first peer with the manifest. */
  discovery: number
  /** Between provider searches while a swarm is incomplete. */
  rediscoverInterval: number
  /** Between checks of seeded files for changes. */
  seedCheck: number
}

/** The engine's tunables (config/defaults SWARM documents each). */
export interface SwarmTuning {
  readonly readAheadBytes: number
  readonly sendTurns: number
  readonly sendTurnMaxHoldMs: number
  readonly requestQueueSeconds: number
  readonly firstWindowBytes: number
  readonly pacedRunsPerSecond: number
  readonly minPacedRun: number
  readonly chokeRoundTicks: number
  readonly optimisticRounds: number
  readonly idleSlotMs: number
  readonly refusalMs: number
  readonly maxUnwrittenBytes: number
}

/** What a swarm reports to its owner. Synchronous calls, owner-side only. */
export interface SwarmObserver {
  onProgress?(swarm: Swarm): void
  onComplete?(swarm: Swarm): void
  /** A peer sent bad data or broke the protocol; the owner decides on bans. */
  onMisbehaviour?(swarm: Swarm, peerId: string, reason: string, fatal: boolean): void
  onError?(swarm: Swarm, err: Error): void
  /** A peer finished the handshake and trades in this swarm. */
  onPeerJoined?(swarm: Swarm, peerId: string): void
  onPeerLeft?(swarm: Swarm, peerId: string): void
  /** A piece passed verification and is written: it can be read and served. */
  onPieceVerified?(swarm: Swarm, index: number): void
  /** A requested piece's last byte came from `peerId`, `roundTripMs` after the request went out. */
  onPieceReceived?(swarm: Swarm, peerId: string, index: number, roundTripMs: number): void
  /** A piece requested from `peerId` failed, and is asked for again. */
  onPieceFailed?(swarm: Swarm, peerId: string, index: number, reason: PieceFailure): void
}

export interface SwarmInit {
  contentId: string
  manifest: Manifest
  /** Absolute path of the content on disk, for status. */
  path: string
  store: PieceStore
  have: Bitfield
  localPeerId: string
  limits: SwarmLimits
  timeouts: SwarmTimeouts
  tuning: SwarmTuning
  /** Node-wide upload and download rate limits. @default unlimited */
  rates?: RateLimits
  /** The node-wide budget of peers over all swarms. @default none (only maxPeersPerSwarm) */
  budget?: SessionBudget
  /** Where received pieces are hashed (node-wide: storage/hash-thread). @default inline */
  hashing?: PieceHashing
  /** Fetch in piece order rather than rarest first. @default false */
  sequential?: boolean
  /**
   * This node added the content (the swarm's first seed): it hands out each piece once
   * before any twice while other peers hold it (see Uploader.admit). @default false
   */
  initialSeed?: boolean
  /**
   * Set when the content was added from files that have since changed and no longer hold
   * every piece: the swarm serves what it has (state 'partial') and reports this as its error.
   */
  changedOnDisk?: Error
  /** Fetch only these files (`--only`); undefined: every file. */
  selection?: FileSelection
  /** Verified pieces of which only the selected files' bytes are on disk. */
  partial?: Bitfield
  log: Logger
  observer?: SwarmObserver
}
