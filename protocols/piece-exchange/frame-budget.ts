/**
 * The memory piece-exchange streams hold in unfinished frames, per peer and in all. Each
 * stream reports what its decoder holds after every chunk; a report that would pass either
 * limit is refused and the stream is reset, so no peer, and no crowd of peer ids, can pin
 * more than the limits.
 */
export class FrameBudget {
  private total = 0
  private readonly byPeer = new Map<string, number>()

  constructor (private readonly perPeer: number, private readonly perNode: number) {}

  /** Bytes held now, in all. */
  get held (): number {
    return this.total
  }

  /** A stream of `peer` goes from holding `before` bytes to `after`; false (nothing changes) if that would pass a limit. */
  hold (peer: string, before: number, after: number): boolean {
    const delta = after - before
    const forPeer = (this.byPeer.get(peer) ?? 0) + delta
    if (delta > 0 && (forPeer > this.perPeer || this.total + delta > this.perNode)) return false
    this.total += delta
    if (forPeer <= 0) this.byPeer.delete(peer)
    else this.byPeer.set(peer, forPeer)
    return true
  }
}
