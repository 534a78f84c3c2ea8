/** A swarm's peers as the node-wide budget sees them. */
export interface BudgetMember {
  /** Peers trading in this swarm now. */
  readonly size: number
  /** Whether `peerId` trades in this swarm. */
  has(peerId: string): boolean
  /** The peer of least use to this swarm: the one to drop for a newcomer elsewhere. */
  leastUseful(): string | undefined
  /** Hang up on `peerId` in this swarm. */
  drop(peerId: string): void
}

export interface SessionBudgetInit {
  /** Peer sessions the node's swarms may hold in all. */
  maxSessions: number
  /** Hang up on a peer no swarm trades with any more (its connection is worth a newcomer's). */
  release(peerId: string): void
  /** A peer left a full node: swarms that held off dialling for want of a place may try again. */
  roomFreed?(): void
}

/**
 * How many peers the node's swarms trade with together. libp2p refuses every inbound
 * connection once the node holds `limits.maxConnections`, and its pruner never closes one
 * that carries a piece stream: swarms that filled the node would shut out every newcomer, a
 * new content's first peers and DHT queries alike. Held under `maxSessions`, a full node
 * makes room as libtorrent does at its connection limit: the swarm with the most peers gives
 * one up to a newcomer of a smaller swarm, so every swarm keeps a fair share.
 */
export class SessionBudget {
  private readonly members = new Set<BudgetMember>()
  /** Peers dropped for room and not yet gone. */
  private readonly shedding = new Set<string>()
  /** Peers dropped from a swarm for a smaller swarm's newcomer, since start. */
  dropped = 0

  constructor (private readonly init: SessionBudgetInit) {}

  add (member: BudgetMember): void {
    this.members.add(member)
  }

  remove (member: BudgetMember): void {
    this.members.delete(member)
  }

  /** Whether any swarm trades with `peerId`. */
  trades (peerId: string): boolean {
    for (const member of this.members) if (member.has(peerId)) return true
    return false
  }

  /** Sessions held over every swarm. */
  get total (): number {
    let total = 0
    for (const member of this.members) total += member.size
    return total
  }

  /**
   * Whether `member` may take one more peer: under budget, or once a swarm with at least two
   * more peers than it has given one up. False: the newcomer waits for room (or for a peer of
   * `member` itself to idle out).
   */
  makeRoomFor (member: BudgetMember): boolean {
    if (this.total < this.init.maxSessions) return true
    const victim = this.victimFor(member)
    if (victim === undefined) return false
    // marked first: its session may end (and settle) within drop
    this.shedding.add(victim.peerId)
    this.dropped++
    victim.swarm.drop(victim.peerId)
    return true
  }

  /** What makeRoomFor would answer, changing nothing: whether dialling a peer for `member` can pay. */
  hasRoomFor (member: BudgetMember): boolean {
    return this.total < this.init.maxSessions || this.victimFor(member) !== undefined
  }

  /** The peer the largest other swarm would give up for `member`'s newcomer, if it has two more peers than `member`. */
  private victimFor (member: BudgetMember): { swarm: BudgetMember, peerId: string } | undefined {
    let largest: BudgetMember | undefined
    for (const other of this.members) if (other !== member && (largest === undefined || other.size > largest.size)) largest = other
    if (largest === undefined || largest.size <= member.size + 1) return undefined
    const peerId = largest.leastUseful()
    return peerId === undefined ? undefined : { swarm: largest, peerId }
  }

  /**
   * A peer left a swarm, or was refused one: hang up on it if no swarm trades with it any more
   * and it was dropped for room or the node is full (else its connection stays, for the DHT
   * and for the swarms it may join later).
   */
  settled (peerId: string): void {
    const dropped = this.shedding.delete(peerId)
    // the node was full and is not: a place (one shed for a newcomer is that newcomer's)
    if (!dropped && this.total === this.init.maxSessions - 1) this.init.roomFreed?.()
    if (!dropped && this.total < this.init.maxSessions) return
    if (!this.trades(peerId)) this.init.release(peerId)
  }
}
