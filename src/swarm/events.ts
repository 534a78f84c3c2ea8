/**
 * What the swarm manager tells the world: a small, typed set of events that leave the swarm
 * edge only (nothing in the swarm listens to them). Protocol modules see them through the
 * read-only swarms view.
 */

export interface SwarmPeerEvent {
  contentId: string
  peerId: string
}

export interface SwarmPieceEvent {
  contentId: string
  index: number
}

export interface SwarmEvents {
  /**
   * A peer finished the piece-exchange handshake for a swarm. Fires again for a peer whose
   * exchange was replaced by a newer one (two peers dialling each other).
   */
  'swarm:peer-joined': CustomEvent<SwarmPeerEvent>
  /** A peer's exchange for a swarm ended. Not sent for peers dropped by a swarm's own stop. */
  'swarm:peer-left': CustomEvent<SwarmPeerEvent>
  /** A piece passed its hash check and is written: it can be read from now on. */
  'swarm:piece-verified': CustomEvent<SwarmPieceEvent>
  /** Every piece of the content is verified; the swarm seeds from now on. */
  'swarm:complete': CustomEvent<{ contentId: string }>
}
