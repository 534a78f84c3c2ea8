import { EventQueue } from './event-queue.js'
import { FluidNetwork } from './fluid.js'
import { SimPeer, bitStorage } from './peer.js'
import { seededRandom } from './random.js'
import { SimSwarm } from './swarm.js'
import { DEFAULTS, PEER_FINDING } from '../../src/config/defaults.js'
import { dialTarget, topUpTarget } from '../../src/swarm/peer-finder.js'
import type { PeerSpec, World } from './peer.js'
import type { Scenario } from './scenarios.js'

export interface RunOptions {
  fileBytes: number
  pieceSize: number
  seed: number
  /** Availability samples taken over the run (a compact series). */
  samples?: number
}

export interface ScenarioResult {
  scenario: string
  peers: number
  boundSeconds: number
  boundRule: string
  lastSeconds: number
  meanSeconds: number
  /** lastSeconds / boundSeconds, and the mean's. */
  ratio: number
  meanRatio: number
  /** What the first seeder uploaded, in copies of the content. */
  seederCopies: number
  /** Piece bytes that arrived where they were had already (of them `endgameBytes`: copies cancelled too late). */
  wastedBytes: number
  endgameBytes: number
  /** wastedBytes over all delivered. */
  wastedShare: number
  completed: number
  /** Leechers were left unfinished at 50 times the bound: lastSeconds is that limit. */
  timedOut: boolean
  /** Piece bytes delivered over what every peer present could have uploaded until the last completion. */
  uploadUse: number
  /** [seconds, leechers done, fewest copies of any piece, mean copies per piece] among peers present. */
  availability: Array<[number, number, number, number]>
  wallSeconds: number
}

/** Connections a peer opens on arrival, and tops up to at its later searches, as PeerFinder; others may dial it up to maxPeersPerSwarm. */
const DIAL = dialTarget(DEFAULTS.limits.maxPeersPerSwarm)
const TOP_UP = topUpTarget(DEFAULTS.limits.maxPeersPerSwarm)
/** Its second search (after PEER_FINDING.firstPause), then one every REDISCOVER_TICKS. */
const SECOND_SEARCH_TICK = Math.round(PEER_FINDING.firstPause / 1000)
const REDISCOVER_TICKS = 10

/** Run one scenario to the last completion (or to 50 times its bound). */
export function runScenario (scenario: Scenario, options: RunOptions): ScenarioResult {
  const started = performance.now()
  const queue = new EventQueue()
  const random = seededRandom(options.seed)
  const { fileBytes, pieceSize } = options
  const pieceCount = Math.ceil(fileBytes / pieceSize)
  const specs: PeerSpec[] = []
  for (let i = 0; i < scenario.peers; i++) specs.push(scenario.leecher(random))
  const meanLatency = (scenario.seeder.latency + specs.reduce((s, p) => s + p.latency, 0)) / (specs.length + 1)
  const stats = { wastedBytes: 0, endgameBytes: 0, deliveredBytes: 0 }
  const world: World = {
    queue,
    net: new FluidNetwork(queue),
    random,
    pieceSize,
    pieceCount,
    fileBytes: pieceCount * pieceSize,
    nowMs: () => queue.now * 1000,
    stats,
    meanLatency,
    bitStorage: bitStorage(pieceCount),
    received: (link, index) => { swarm.received(link, index) }
  }
  const present: SimPeer[] = []
  const copies = new Uint32Array(pieceCount)
  const durations: number[] = []
  /** Upload capacity of the peers present, integrated over time (bytes). */
  let capacity = 0
  let capacityRate = 0
  let capacityAt = 0
  const capacityChange = (delta: number): void => {
    capacity += capacityRate * (queue.now - capacityAt)
    capacityAt = queue.now
    capacityRate += delta
  }
  let ended = 0
  const swarm = new SimSwarm(world, {
    onStored: (_peer, index) => { copies[index]++ },
    onComplete: peer => {
      durations.push(queue.now - peer.joinedAt)
      ended++
      if (scenario.leaveWhenDone) leave(peer)
    }
  })

  const leave = (peer: SimPeer): void => {
    if (peer.departed) return
    for (let i = 0; i < pieceCount; i++) if (peer.have.has(i)) copies[i]--
    present.splice(present.indexOf(peer), 1)
    capacityChange(-peer.spec.up)
    swarm.depart(peer)
  }
  /** As PeerFinder: up to `target` links, or one more (within maxPeersPerSwarm) while it has nothing to ask of them and pieces none of them has. */
  const dial = (peer: SimPeer, target: number): void => {
    // the search names peers that have the content: of them, one that brings a piece we lack a source for
    const lacking = peer.links.size >= target && peer.picker.needsSource()
    const wanted = lacking ? Math.min(DEFAULTS.limits.maxPeersPerSwarm, peer.links.size + 1) : target
    for (let tries = 0; tries < 4 * target && peer.links.size < wanted && present.length > 1; tries++) {
      const other = present[Math.floor(random() * present.length)]
      if (other === peer || peer.links.has(other.id) || other.links.size >= DEFAULTS.limits.maxPeersPerSwarm) continue
      if (other.have.complete && peer.have.complete) continue
      if (lacking && !bringsUnsourced(peer, other)) continue
      swarm.connect(peer, other)
    }
  }
  const tick = (peer: SimPeer): void => {
    if (peer.departed) return
    swarm.tick(peer)
    if (peer.downloading && (peer.ticks === SECOND_SEARCH_TICK || peer.ticks % REDISCOVER_TICKS === 0)) dial(peer, TOP_UP)
    queue.after(1, () => { tick(peer) })
  }
  const join = (peer: SimPeer): void => {
    present.push(peer)
    capacityChange(peer.spec.up)
    if (peer.have.complete) for (let i = 0; i < pieceCount; i++) copies[i]++
    dial(peer, DIAL)
    queue.after(1, () => { tick(peer) })
  }

  const seeder = new SimPeer(0, scenario.seeder, 0, world, true)
  join(seeder)
  let at = 0
  for (let i = 0; i < specs.length; i++) {
    at += scenario.gap(random)
    const aborts = random() < scenario.abortShare
    const abortAfter = random() * fileBytes / specs[i].up
    queue.at(at, () => {
      const peer = new SimPeer(i + 1, specs[i], queue.now, world, false)
      join(peer)
      if (aborts) {
        queue.after(abortAfter, () => {
          if (peer.departed || peer.doneAt !== undefined) return
          ended++
          leave(peer)
        })
      }
    })
  }

  const bound = scenario.bound(world.fileBytes, specs)
  const availability: ScenarioResult['availability'] = []
  const sampleEvery = Math.max(0.5, (at + 2 * bound) / (options.samples ?? 24))
  const sample = (): void => {
    const holders = present.length
    let fewest = Infinity
    let sum = 0
    for (const c of copies) {
      fewest = Math.min(fewest, c)
      sum += c
    }
    availability.push([round(queue.now), durations.length, holders === 0 ? 0 : fewest, round(sum / pieceCount)])
    if (ended < specs.length) queue.after(sampleEvery, sample)
  }
  queue.at(0, sample)
  queue.run(() => ended >= specs.length, 50 * bound + at)
  sample()
  capacityChange(0)

  // a run stopped at its time limit counts the limit as the last time (and says so)
  const timedOut = ended < specs.length
  const last = timedOut || durations.length === 0 ? queue.now : durations.reduce((a, b) => Math.max(a, b), 0)
  const mean = durations.length === 0 ? queue.now : durations.reduce((s, d) => s + d, 0) / durations.length
  return {
    scenario: scenario.name,
    peers: scenario.peers,
    boundSeconds: round(bound),
    boundRule: scenario.boundRule,
    lastSeconds: round(last),
    meanSeconds: round(mean),
    ratio: round(last / bound),
    meanRatio: round(mean / bound),
    seederCopies: round(seeder.uploaded / world.fileBytes),
    wastedBytes: stats.wastedBytes,
    endgameBytes: stats.endgameBytes,
    wastedShare: round(stats.wastedBytes / Math.max(1, stats.deliveredBytes), 4),
    completed: durations.length,
    timedOut,
    uploadUse: round(stats.deliveredBytes / capacity),
    availability,
    wallSeconds: round((performance.now() - started) / 1000)
  }
}

/** `other` holds a piece `peer` lacks and none of `peer`'s partners has. */
function bringsUnsourced (peer: SimPeer, other: SimPeer): boolean {
  for (let i = 0; i < peer.have.length; i++) {
    if (other.have.has(i) && !peer.have.has(i) && !peer.writing.has(i) && peer.picker.availabilityOf(i) === 0) return true
  }
  return false
}

function round (x: number, digits = 3): number {
  const scale = 10 ** digits
  return Math.round(x * scale) / scale
}
