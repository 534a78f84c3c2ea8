import type { IntakeEvents } from './piece-intake.js'
import type { SwarmObserver } from './swarm-init.js'
import type { PeerEvents } from './swarm-peers.js'
import type { Swarm } from './swarm.js'

/** The events of a swarm's parts (peers, intake, stall watch), as calls on its observer. */
export type SwarmEvents = PeerEvents & IntakeEvents

/** The parts' events, told to `observer` about `swarm`. */
export function observerEvents (swarm: Swarm, observer: SwarmObserver): SwarmEvents {
  return {
    joined: (peerId) => { observer.onPeerJoined?.(swarm, peerId) },
    left: (peerId) => { observer.onPeerLeft?.(swarm, peerId) },
    misbehaved: (peerId, reason, fatal) => { observer.onMisbehaviour?.(swarm, peerId, reason, fatal) },
    received: (peerId, index, ms) => { observer.onPieceReceived?.(swarm, peerId, index, ms) },
    pieceFailed: (peerId, index, reason) => { observer.onPieceFailed?.(swarm, peerId, index, reason) },
    verified: (index) => { observer.onPieceVerified?.(swarm, index) },
    progress: () => { observer.onProgress?.(swarm) }
  }
}
