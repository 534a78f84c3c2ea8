/**
 * Who gets upload slots: a pure function of peer statistics, run every choke round by the
 * swarm (and when peers come and go). No I/O, no clocks of its own, so a simulation can run
 * it for thousands of peers.
 *
 * Policy (BitTorrent's, with a fair-share seeding rule):
 * - Only interested peers (those missing something we have) compete; when they fit in the
 *   slots, all are unchoked.
 * - Otherwise `slots - 1` regular slots go, while downloading, to the peers that give us the
 *   most (tit-for-tat), and while seeding to the peers we have given the least (a rotation:
 *   whoever got their share makes room for those waiting).
 * - One optimistic slot goes to a random other candidate, newcomers more likely (`newcomers`),
 *   and moves on every `rotateOptimistic` round, so new peers get their first pieces and
 *   better partners are discovered.
 * - An unchoked peer that has asked us for nothing lately (`idle`) competes only for slots no
 *   other interested peer wants: it is getting what we offer from others, while peers we
 *   choke wait for it (the simulator's flash crowd of 1,000: 22-25% of uploaders stood idle at
 *   1-3 s, each with 21-42 choked peers wanting its pieces; see SWARM.idleSlotMs).
 * - Ties fall at random. At a swarm's start every rate is 0, and in the order peers are listed
 *   (the order they connected) every uploader gave its first slots to the same early peers: in
 *   the simulator's flash crowd of 1,000 a new piece had 14 holders after 0.8 s, 34 with ties
 *   at random (1.66x the bound to 1.63x; 10,000 peers: see README, Benchmarks).
 */

export interface ChokerPeer {
  readonly id: string
  /** It lacks a piece we have. */
  readonly interested: boolean
  /** Bytes/s we received from it lately. */
  readonly downloadRate: number
  /** Bytes we have sent it so far. */
  readonly uploaded: number
  /** Whether it is unchoked now (ties keep the current choice: fewer flips). */
  readonly unchoked: boolean
  /** Unchoked, yet it has asked us for nothing lately: its slot goes first to one who waits. */
  readonly idle?: boolean
  /** ms timestamp of when it joined the swarm. */
  readonly joinedAt: number
}

export interface ChokerInput {
  readonly peers: readonly ChokerPeer[]
  /** We have every piece: nothing to gain from anyone. */
  readonly seeding: boolean
  /** Peers unchoked at once, the optimistic one included. */
  readonly slots: number
  /** The peer holding the optimistic slot since an earlier round, if any. */
  readonly optimistic?: string
  /** Give the optimistic slot to someone else this round. */
  readonly rotateOptimistic: boolean
  readonly now: number
  /** Source of randomness in [0, 1), injectable for reproducible tests. */
  readonly random: () => number
  /** The node's CHOKING: who counts as a newcomer, and how much likelier it is to get the optimistic slot. */
  readonly newcomers: NewcomerOdds
  /**
   * While downloading, an unchoked peer's rate counts this much more (0.2: 20%) against a
   * choked one's: a slot changes hands for a better partner, not for the noise between
   * similar rates. @default 0
   */
  readonly keepMargin?: number
}

export interface NewcomerOdds {
  /** Peers that joined within this many ms count as newcomers. */
  readonly newcomerMs: number
  /** A newcomer is this many times as likely as another peer to get the optimistic slot. */
  readonly newcomerWeight: number
}

export interface ChokeDecision {
  readonly unchoked: ReadonlySet<string>
  readonly optimistic?: string
}

export function choke (input: ChokerInput): ChokeDecision {
  const candidates = input.peers.filter(p => p.interested && p.idle !== true)
  if (input.slots <= 0) return { unchoked: new Set() }
  if (candidates.length <= input.slots) return { unchoked: withIdleKept(candidates, input) }

  const ranked = shuffled(candidates, input.random).sort(input.seeding ? bySeedingShare : byReciprocation(1 + (input.keepMargin ?? 0)))
  const regular = ranked.slice(0, input.slots - 1)
  const unchoked = new Set(regular.map(p => p.id))

  const others = ranked.slice(input.slots - 1)
  const keep = input.rotateOptimistic ? undefined : others.find(p => p.id === input.optimistic)
  const optimistic = keep ?? pickOptimistic(others, input)
  unchoked.add(optimistic.id)
  return { unchoked, optimistic: optimistic.id }
}

/** Every active candidate, then idle interested peers in the slots left (they hold them now: no flip). */
function withIdleKept (candidates: readonly ChokerPeer[], { peers, slots }: ChokerInput): Set<string> {
  const unchoked = new Set(candidates.map(p => p.id))
  for (const p of peers) {
    if (unchoked.size >= slots) break
    if (p.interested && p.idle === true) unchoked.add(p.id)
  }
  return unchoked
}

/** Most given to us first (an unchoked peer's rate times `keep`); then the current choice; then who has had least from us. */
function byReciprocation (keep: number): (a: ChokerPeer, b: ChokerPeer) => number {
  const score = (p: ChokerPeer): number => p.unchoked ? p.downloadRate * keep : p.downloadRate
  return (a, b) => score(b) - score(a) || Number(b.unchoked) - Number(a.unchoked) || a.uploaded - b.uploaded
}

/** Least given so far first: a round-robin over the peers that want what we seed. */
function bySeedingShare (a: ChokerPeer, b: ChokerPeer): number {
  return a.uploaded - b.uploaded || Number(b.unchoked) - Number(a.unchoked)
}

function pickOptimistic (peers: readonly ChokerPeer[], { now, random, newcomers }: ChokerInput): ChokerPeer {
  const weight = (p: ChokerPeer): number => now - p.joinedAt < newcomers.newcomerMs ? newcomers.newcomerWeight : 1
  const total = peers.reduce((sum, p) => sum + weight(p), 0)
  let ticket = random() * total
  for (const peer of peers) {
    ticket -= weight(peer)
    if (ticket < 0) return peer
  }
  return peers[peers.length - 1]
}

/** A copy in random order: ties in the ranking then fall at random, not in connection order. */
function shuffled<T> (items: readonly T[], random: () => number): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const item = copy[i]
    copy[i] = copy[j]
    copy[j] = item
  }
  return copy
}
