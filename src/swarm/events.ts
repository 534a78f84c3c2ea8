/**
 * What the swarm registry tells the world: a small, typed set of events that leave the swarm
 * edge only (nothing in the swarm listens to them). Protocol modules see them through the
 * read-only swarms view.
 */

import type { SwarmState } from './swarm.js'

export interface SwarmPeerEvent {
  contentId: string
  peerId: string
}

export interface SwarmPieceEvent {
  contentId: string
  index: number
}

/** A requested piece's last byte arrived (before its hash check): how long it took from the request. */
export interface SwarmPieceReceivedEvent extends SwarmPeerEvent {
  index: number
  /** ms from sending the request to the piece's last byte. */
  roundTripMs: number
}

/**
 * Why a requested piece did not become a verified one: its hash did not match, the peer
 * refused the request, the request timed out (or trickled), or the piece could not be written.
 */
export type PieceFailure = 'hash' | 'rejected' | 'timeout' | 'write'

export interface SwarmPieceFailedEvent extends SwarmPeerEvent {
  index: number
  reason: PieceFailure
}

export interface SwarmOpenedEvent {
  contentId: string
  /** The swarm's state as it opens: 'seeding', 'downloading' or 'partial'. */
  state: SwarmState
}

export interface SwarmEvents {
  /**
   * A swarm opened: content added or fetched, a swarm restored at start, or reopened once its
   * files were verified again. Sent before any of its other events.
   */
  'swarm:added': CustomEvent<SwarmOpenedEvent>
  /**
   * A swarm closed for good: replaced by a new add or get of the same content, or its files
   * could not be opened again after a change. Not sent when the node stops.
   */
  'swarm:removed': CustomEvent<{ contentId: string }>
  /**
   * A peer finished the piece-exchange handshake for a swarm. Fires again for a peer whose
   * exchange was replaced by a newer one (two peers dialling each other).
   */
  'swarm:peer-joined': CustomEvent<SwarmPeerEvent>
  /** A peer's exchange for a swarm ended. Not sent for peers dropped by a swarm's own stop. */
  'swarm:peer-left': CustomEvent<SwarmPeerEvent>
  /** A piece passed its hash check and is written: it can be read from now on. */
  'swarm:piece-verified': CustomEvent<SwarmPieceEvent>
  /** A requested piece arrived whole from a peer (its hash is checked next). */
  'swarm:piece-received': CustomEvent<SwarmPieceReceivedEvent>
  /** A requested piece failed: it is asked for again, from this peer or another. */
  'swarm:piece-failed': CustomEvent<SwarmPieceFailedEvent>
  /** Every piece of the content is verified; the swarm seeds from now on. */
  'swarm:complete': CustomEvent<{ contentId: string }>
}
