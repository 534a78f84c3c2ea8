import { DEFAULTS, SWARM } from '../../src/config/defaults.js'
import type { SimLink, SimPeer, World } from './peer.js'

/**
 * The asking side, as swarm/requester.ts does it: keep each unchoking peer's pipeline full
 * within a window of its rate times (round trip + requestQueueSeconds), refilled a quarter
 * window at a time, the picker choosing. (No download-rate budget: the fluid model caps.)
 */
export function fill (world: World, link: SimLink): void {
  const peer = link.owner
  if (!peer.downloading || link.closed || link.chokedBy) return
  const window = windowOf(world, link)
  const free = window - link.inflightBytes
  if (link.inflightBytes > 0 && free < window / 4) return
  const count = Math.max(1, Math.floor(free / world.pieceSize))
  const now = world.nowMs()
  const skip = (i: number): boolean => link.isRequested(i) || link.refusedLately(i, now)
  for (const index of peer.picker.pick(link.remoteHas, count, skip)) {
    peer.picker.markRequested(index)
    request(world, link, index)
  }
}

export function fillAll (world: World, peer: SimPeer): void {
  for (const link of peer.linkList) fill(world, link)
}

function windowOf (world: World, link: SimLink): number {
  const rate = link.downloadRate
  const wanted = rate === 0 ? SWARM.firstWindowBytes : rate * (2 * link.latency + SWARM.requestQueueSeconds)
  return Math.max(world.pieceSize, Math.min(DEFAULTS.limits.maxInflightBytesPerPeer, wanted))
}

function request (world: World, link: SimLink, index: number): void {
  link.addRequest(index)
  link.inflightBytes += world.pieceSize
  world.queue.after(link.latency, () => { onRequest(world, link.back, index) })
}

export type RejectReason = 'choked' | 'not-available' | 'overloaded' | 'elsewhere'

/** At the serving side, as PeerSession.onRequest: queue it, or say why not. */
function onRequest (world: World, link: SimLink, index: number): void {
  const server = link.owner
  if (link.closed || server.departed) return
  if (link.choking) return reject(world, link, index, 'choked')
  link.quietSince = world.queue.now
  if (!server.hasPiece(index)) reject(world, link, index, 'not-available')
  else if (link.queue.includes(index) || link.sending === index) return
  else if (link.queue.length >= DEFAULTS.limits.maxQueuedRequestsPerPeer) reject(world, link, index, 'overloaded')
  else if (!admit(server, link, index, link.sentElsewhere?.has(index) === true)) {
    link.sentElsewhere ??= new Set()
    link.sentElsewhere.add(index)
    reject(world, link, index, 'elsewhere')
  } else {
    link.queue.push(index)
    serve(world, link)
  }
}

/** Initial seeding, as Uploader.admit: a piece goes out again only where no other peer has it, or to a peer that asks again. */
function admit (server: SimPeer, link: SimLink, index: number, insisted: boolean): boolean {
  if (!insisted && server.initialSeed && server.have.complete && server.copies.given(index) && heldElsewhere(server, link, index)) return false
  server.copies.record(index, link.remoteKey)
  return true
}

function heldElsewhere (server: SimPeer, requester: SimLink, index: number): boolean {
  const last = server.copies.lastRecipient(index)
  if (last !== undefined && Number(last) !== requester.remote.id && server.links.has(Number(last))) return true
  for (const link of server.linkList) if (link !== requester && link.remoteHasPiece(index)) return true
  return false
}

export function reject (world: World, link: SimLink, index: number, reason: RejectReason): void {
  world.queue.after(link.latency, () => { onReject(world, link.back, index, reason) })
}

/** At the asking side, as PeerSession.onReject then Swarm.onRequestEnded. */
function onReject (world: World, link: SimLink, index: number, reason: RejectReason): void {
  if (link.closed || !link.removeRequest(index)) return
  link.inflightBytes -= world.pieceSize
  if (reason === 'choked') link.chokedBy = true
  else (link.refusedUntil ??= new Map()).set(index, world.nowMs() + SWARM.refusalMs)
  link.owner.picker.markReleased(index)
  fill(world, link)
}

/**
 * Serve the remote's queue one piece at a time, the piece fewest of the server's peers have
 * first (Uploader.sendQueued), the server's links taking turns as SendTurns has them
 * (SWARM.sendTurns copies at once, a free turn to the rarest waiting copy; a turn held
 * SWARM.sendTurnMaxHoldMs at most while others wait); the world's `received` runs at the
 * remote when the last byte lands. (No read-ahead: a copy is chosen when its turn comes.)
 */
export function serve (world: World, link: SimLink): void {
  if (link.sending !== undefined || link.queue.length === 0 || link.closed) return
  const server = link.owner
  if (!hasTurn(world, server)) {
    server.turnWaiters.add(link)
    forfeitLater(world, server)
    return
  }
  server.turnWaiters.delete(link)
  server.turnHolders.add(link)
  link.turnAt = world.queue.now
  const index = link.queue.splice(server.sendOrder.first(link.queue), 1)[0]
  link.sending = index
  world.net.start(server.link, link.remote.link, world.pieceSize, () => {
    link.sending = undefined
    link.quietSince = world.queue.now
    server.turnHolders.delete(link)
    server.uploaded += world.pieceSize
    link.given += world.pieceSize
    world.queue.after(link.latency, () => { world.received(link.back, index) })
    wakeWaiters(world, server)
    serve(world, link)
  })
}

function hasTurn (world: World, server: SimPeer): boolean {
  let held = 0
  for (const holder of server.turnHolders) if (world.queue.now - holder.turnAt < SWARM.sendTurnMaxHoldMs / 1000) held++
  return held < SWARM.sendTurns
}

/** Free turns go to the waiters whose next copy is rarest, the longest waiting among equals (SendTurns). */
function wakeWaiters (world: World, server: SimPeer): void {
  while (server.turnWaiters.size > 0 && hasTurn(world, server)) {
    let best: SimLink | undefined
    let bestHolders = Infinity
    for (const waiter of server.turnWaiters) {
      const holders = waiter.queue.length === 0 ? Infinity : server.picker.availabilityOf(waiter.queue[server.sendOrder.first(waiter.queue)])
      if (best === undefined || holders < bestHolders) {
        best = waiter
        bestHolders = holders
      }
    }
    if (best === undefined) return
    server.turnWaiters.delete(best)
    serve(world, best)
  }
}

/** Someone waits: once the oldest turn has been held SWARM.sendTurnMaxHoldMs, the next goes beside it. */
function forfeitLater (world: World, server: SimPeer): void {
  const oldest = server.turnHolders.values().next().value
  if (oldest === undefined) return
  const sending = oldest.sending
  world.queue.at(oldest.turnAt + SWARM.sendTurnMaxHoldMs / 1000, () => {
    if (oldest.sending === sending && server.turnHolders.has(oldest)) wakeWaiters(world, server)
  })
}

/** The asker no longer wants `index` from this peer (another copy arrived): Cancel. */
export function abandon (world: World, link: SimLink, index: number): void {
  if (!link.removeRequest(index)) return
  link.inflightBytes -= world.pieceSize
  link.owner.picker.markReleased(index)
  const server = link.back
  world.queue.after(link.latency, () => {
    const at = server.queue.indexOf(index)
    if (at < 0) return
    server.queue.splice(at, 1)
    server.owner.copies.withdraw(index, server.remoteKey)
  })
}
