import { choke } from '../../src/core/choker.js'
import type { ChokerPeer } from '../../src/core/choker.js'
import { CHOKING, DEFAULTS, SWARM } from '../../src/config/defaults.js'
import { HAVE_BATCH_MS } from '../../protocols/piece-exchange/constants.js'
import { SimLink } from './peer.js'
import { abandon, fill, fillAll, reject } from './requests.js'
import type { SimPeer, World } from './peer.js'

/** What the scenario hears of: completions (to schedule departures) and pieces stored (availability). */
export interface SwarmHooks {
  onComplete(peer: SimPeer): void
  onStored(peer: SimPeer, index: number): void
}

/**
 * A node's reactions to its peers, as swarm/swarm.ts and swarm/upload.ts have them: joining
 * and leaving, pieces arriving and stored, haves, choke rounds and ticks.
 */
export class SimSwarm {
  /**
   * Lists of a Have's hearers, used again once delivered (read up to their own count): at
   * 10,000 peers, 2.5 million lists of ~80 links that outlive a young-generation collection.
   */
  private readonly hearerLists: SimLink[][] = []

  constructor (private readonly world: World, private readonly hooks: SwarmHooks) {}

  /** Both sides attach (Swarm.attach): the picker counts the remote's pieces, then a choke round. */
  connect (a: SimPeer, b: SimPeer): void {
    const ab = new SimLink(a, b, this.world)
    const ba = new SimLink(b, a, this.world)
    ab.back = ba
    ba.back = ab
    a.addLink(ab)
    b.addLink(ba)
    a.picker.addPeer(ab.remoteHas)
    b.picker.addPeer(ba.remoteHas)
    this.rechoke(a)
    this.rechoke(b)
  }

  /** Both sides close (Swarm.onPeerClosed): requests go back to the picker, slots to others. */
  close (link: SimLink): void {
    const sides = [link, link.back]
    for (const side of sides) {
      side.closed = true
      side.owner.removeLink(side)
    }
    for (const side of sides) {
      const peer = side.owner
      peer.picker.removePeer(side.remoteHas)
      for (const index of side.takeRequests()) peer.picker.markReleased(index)
      side.inflightBytes = 0
      for (const index of side.queue) peer.copies.withdraw(index, side.remoteKey)
      side.queue = []
      peer.turnWaiters.delete(side)
      if (peer.departed) continue
      if (peer.optimistic === side.remoteKey) peer.optimistic = undefined
      if (!side.choking) this.rechoke(peer)
      fillAll(this.world, peer)
    }
  }

  depart (peer: SimPeer): void {
    peer.departed = true
    for (const link of [...peer.linkList]) this.close(link)
  }

  /** Once a second: a choke round every chokeRoundTicks; while downloading, every pipeline refilled. */
  tick (peer: SimPeer): void {
    if (peer.departed) return
    peer.ticks++
    if (peer.ticks % SWARM.chokeRoundTicks === 0) this.rechoke(peer, peer.ticks % (SWARM.chokeRoundTicks * SWARM.optimisticRounds) === 0)
    if (peer.downloading) fillAll(this.world, peer)
  }

  /** Uploader.rechoke over the core's choker. */
  rechoke (peer: SimPeer, rotateOptimistic = false): void {
    if (peer.departed) return
    const links: SimLink[] = []
    const peers: ChokerPeer[] = []
    for (const l of peer.linkList) {
      links.push(l)
      peers.push({
        id: l.remoteKey,
        interested: wantsSlot(l),
        downloadRate: l.downloadRate,
        uploaded: l.given,
        unchoked: !l.choking,
        idle: asksNothing(l, this.world.queue.now),
        joinedAt: l.connectedAt
      })
    }
    const decision = choke({
      peers,
      seeding: !peer.downloading,
      slots: DEFAULTS.limits.uploadSlots,
      optimistic: peer.optimistic,
      rotateOptimistic,
      now: this.world.nowMs(),
      random: this.world.random,
      newcomers: CHOKING,
      keepMargin: CHOKING.keepMargin
    })
    peer.optimistic = decision.optimistic
    for (const l of links) this.setChoking(l, !decision.unchoked.has(l.remoteKey))
  }

  /**
   * Uploader.hasIdleSlot: a slot held by a peer that wants nothing more from us, or asks us
   * for nothing lately, counts as free. (Stops as soon as the answer is known: at 10,000 peers this runs for every piece stored.)
   */
  private hasIdleSlot (peer: SimPeer): boolean {
    const slots = DEFAULTS.limits.uploadSlots
    const now = this.world.queue.now
    let used = 0
    let waiting = false
    for (const l of peer.linkList) {
      if (!l.choking) {
        if (wantsSlot(l) && !asksNothing(l, now) && ++used >= slots) return false
      } else if (!waiting && wantsSlot(l)) {
        waiting = true
      }
    }
    return waiting
  }

  /** PeerSession.setChoking: an Unchoke lets the remote ask; a Choke rejects what it had queued. */
  private setChoking (link: SimLink, choking: boolean): void {
    if (choking === link.choking || link.closed) return
    link.choking = choking
    const { world } = this
    if (!choking) {
      link.quietSince = world.queue.now
      world.queue.after(link.latency, () => {
        if (link.back.closed) return
        link.back.chokedBy = false
        fill(world, link.back)
      })
      return
    }
    world.queue.after(link.latency, () => { link.back.chokedBy = true })
    for (const index of link.queue) {
      link.owner.copies.withdraw(index, link.remoteKey)
      reject(world, link, index, 'choked')
    }
    link.queue = []
  }

  /** Swarm.onPieceReceived: a duplicate is waste; else settled, other copies cancelled, stored. */
  received (link: SimLink, index: number): void {
    const { world } = this
    const peer = link.owner
    world.stats.deliveredBytes += world.pieceSize
    link.downloaded(world.pieceSize)
    const asked = link.removeRequest(index)
    if (asked) link.inflightBytes -= world.pieceSize
    if (link.closed || peer.departed) return
    if (peer.hasPiece(index) || peer.writing.has(index)) {
      world.stats.wastedBytes += world.pieceSize
      if (!asked) world.stats.endgameBytes += world.pieceSize
      fill(world, link)
      return
    }
    peer.writing.add(index)
    peer.picker.markSettled(index)
    peer.picker.markReleased(index)
    // requests still out for it are other peers' (endgame): cancel them
    if (peer.picker.requestsFor(index) > 0) {
      for (const other of peer.linkList) if (other !== link && other.isRequested(index)) abandon(world, other, index)
    }
    fill(world, link)
    this.stored(peer, index)
  }

  /** Swarm.onPieceStored (verify and write take no time here): have, announce, finish or rechoke. */
  private stored (peer: SimPeer, index: number): void {
    const { world } = this
    peer.writing.delete(index)
    peer.picker.markHave(index)
    // one Have message to every peer, seeds too, batched as the wire's HaveBatch does; all
    // arrive after the mean link's latency (one event, not one per peer)
    const delay = haveDelay(peer, world.queue.now)
    const hearers = this.hearerLists.pop() ?? []
    let count = 0
    for (const l of peer.linkList) {
      if (!l.remoteHasPiece(index)) l.offer++
      hearers[count++] = l.back
    }
    this.hooks.onStored(peer, index)
    world.queue.after(delay + 2 * world.meanLatency, () => {
      this.haveArrived(hearers, count, index)
      this.hearerLists.push(hearers)
    })
    if (peer.have.complete) this.finish(peer)
    else if (this.hasIdleSlot(peer)) this.rechoke(peer)
  }

  /**
   * SessionRoutes.onPeerHave at each hearer of one Have: note it (the link's offer, the
   * picker's count), then ask for it, or (Uploader.peerGained) free the slot of a peer that
   * wants nothing more. In passes, not hearer by hearer: each hearer is another peer's link and
   * no step reads another hearer's state, so the outcome is the same, while short loops let
   * the memory loads of many hearers overlap (at 10,000 peers a Have's cost is its cache misses).
   */
  private haveArrived (hearers: SimLink[], count: number, index: number): void {
    let open = 0
    for (let i = 0; i < count; i++) {
      const link = hearers[i]
      if (!link.closed && link.remoteGained(index)) hearers[open++] = link
    }
    for (let i = 0; i < open; i++) {
      const link = hearers[i]
      if (link.owner.hasPiece(index)) link.offer--
      link.owner.picker.peerGained(index)
    }
    for (let i = 0; i < open; i++) {
      const link = hearers[i]
      const peer = link.owner
      if (!peer.hasPiece(index)) fill(this.world, link)
      else if (!link.choking && !wantsSlot(link) && this.hasIdleSlot(peer)) this.rechoke(peer)
    }
  }

  /** Swarm.finish: seeds have nothing to trade with seeds. */
  private finish (peer: SimPeer): void {
    peer.doneAt = this.world.queue.now
    for (const link of [...peer.linkList]) if (link.isSeed) this.close(link)
    this.rechoke(peer)
    this.hooks.onComplete(peer)
  }
}

/**
 * Seconds a have stored now waits in the wire's HaveBatch: none after HAVE_BATCH_MS with none
 * sent; else it goes with the batch already due, or at the end of the window since the last.
 */
function haveDelay (peer: SimPeer, now: number): number {
  const window = HAVE_BATCH_MS / 1000
  if (now < peer.havesDueAt) return peer.havesDueAt - now
  peer.havesDueAt = Math.max(now, peer.havesDueAt + window)
  return peer.havesDueAt - now
}

/** PeerServing.asksNothing: unchoked, nothing queued or being sent, no request for SWARM.idleSlotMs since its unchoke, its last, or our last piece to it. */
function asksNothing (link: SimLink, now: number): boolean {
  return !link.choking && link.queue.length === 0 && link.sending === undefined && now - link.quietSince > SWARM.idleSlotMs / 1000
}

/** Uploader.wantsSlot: the remote lacks a piece we have (every simulated peer reads). */
function wantsSlot (link: SimLink): boolean {
  return !link.isSeed && link.offer > 0
}
