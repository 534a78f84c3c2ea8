import { peerIdFromString } from '@libp2p/peer-id'
import type { Connection, Libp2p, Logger } from '@libp2p/interface'

/** Streams a hang-up for room may cut: libp2p's own upkeep, and piece streams of a peer no swarm holds. */
const CLOSABLE_PROTOCOL = /\/(ipfs\/id|ipfs\/ping|kad|piece-exchange|libp2p\/autonat|libp2p\/dcutr)\//

export interface ConnectionRoomInit {
  libp2p: Libp2p
  /** limits.maxConnections: libp2p refuses every inbound connection past it. */
  maxConnections: number
  /** Connections kept free for newcomers. */
  spare: number
  /** A connection younger than this is not idle yet (its peer may be opening a session). */
  graceMs: number
  /** Whether a swarm trades with the peer. */
  trades(peerId: string): boolean
  /** Between checks, ms. */
  intervalMs: number
  log: Logger
}

/**
 * Keeps room among libp2p's connections for newcomers. libp2p refuses every inbound connection
 * at `maxConnections` and prunes only when a new one opens past it, which at the limit none
 * does: connections nobody uses (peers dropped by a full swarm that dial back, the DHT's)
 * would hold the node shut. Once a second, at `spare` from the limit, the newest idle
 * connections close: those of peers no swarm trades with, carrying nothing that cannot be
 * opened again.
 */
export class ConnectionRoom {
  /** Connections closed for room, since start. */
  closed = 0
  private timer?: NodeJS.Timeout

  constructor (private readonly init: ConnectionRoomInit) {}

  start (lifetime: AbortSignal): void {
    this.timer = setInterval(() => { this.check() }, this.init.intervalMs)
    this.timer.unref?.()
    lifetime.addEventListener('abort', () => { clearInterval(this.timer) }, { once: true })
  }

  /** Hang up on `peer` (no swarm trades with it any more) where its connections carry nothing else. */
  release (peer: string): void {
    for (const connection of this.init.libp2p.getConnections(peerIdFromString(peer))) this.hangUp(connection)
  }

  /** Close idle connections, newest first, until `spare` are free (or none is idle). */
  check (now = Date.now()): void {
    const { libp2p, maxConnections, spare, graceMs } = this.init
    const connections = libp2p.getConnections()
    let excess = connections.length - (maxConnections - spare)
    if (excess <= 0) return
    const idle = connections
      .filter(c => now - c.timeline.open >= graceMs && !this.init.trades(c.remotePeer.toString()))
      .sort((a, b) => b.timeline.open - a.timeline.open)
    for (const connection of idle) {
      if (excess <= 0) return
      if (this.hangUp(connection)) excess--
    }
  }

  private hangUp (connection: Connection): boolean {
    if (connection.status !== 'open') return false
    if (!connection.streams.every(s => s.protocol !== undefined && CLOSABLE_PROTOCOL.test(s.protocol))) return false
    this.init.log('hanging up on %p for room', connection.remotePeer)
    connection.close().catch((err: Error) => { connection.abort(err) })
    this.closed++
    return true
  }
}
