import type { PeerSession } from './peer-session.js'

/**
 * How long each peer of a swarm has been of no use: no piece bytes either way. A full swarm
 * asks it which peer to drop for a newcomer, so that peers that only sit in a swarm (free
 * identities do) cannot keep honest ones out, and a peer at work is never dropped for one.
 */
export class IdlePeers {
  private readonly seen = new WeakMap<PeerSession, { bytes: number, usefulAt: number }>()

  /** @param minIdleMs a peer idle for less than this is never dropped (time to be unchoked and served) */
  constructor (private readonly minIdleMs: number) {}

  /** Note which peers moved piece bytes since the last look (the swarm looks once a second). */
  observe (sessions: Iterable<PeerSession>, now: number): void {
    for (const session of sessions) this.look(session, now)
  }

  /** The peer idle for longest, if any has been idle for `minIdleMs` (by default the one given at construction). */
  longestIdle (sessions: Iterable<PeerSession>, now: number, minIdleMs = this.minIdleMs): PeerSession | undefined {
    let victim: PeerSession | undefined
    let longest = minIdleMs
    for (const session of sessions) {
      const idle = now - this.look(session, now)
      if (idle >= longest) {
        victim = session
        longest = idle
      }
    }
    return victim
  }

  /** When the session last moved piece bytes (or joined); updates what was seen of it. */
  private look (session: PeerSession, now: number): number {
    const bytes = session.downloadMeter.bytes + session.uploadMeter.bytes
    const seen = this.seen.get(session)
    if (seen === undefined) {
      this.seen.set(session, { bytes, usefulAt: bytes > 0 ? now : session.connectedAt })
      return bytes > 0 ? now : session.connectedAt
    }
    if (bytes !== seen.bytes) {
      seen.bytes = bytes
      seen.usefulAt = now
    }
    return seen.usefulAt
  }
}
