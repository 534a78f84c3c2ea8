import type { PeerSpec } from './peer.js'

/** 40 Mbit/s, the lab's cap (../shared/lab), in bytes per second. */
export const LAB_RATE = 40e6 / 8

export interface Scenario {
  readonly name: string
  readonly peers: number
  readonly seeder: PeerSpec
  /** Leecher `i`'s links, drawn with the run's seeded random. */
  leecher(random: () => number): PeerSpec
  /** Seconds between leecher arrivals (0: all at once). */
  gap(random: () => number): number
  /** Share of leechers that leave before they finish, at a random point of their download. */
  readonly abortShare: number
  /** Leechers leave once complete (else they stay and seed). */
  readonly leaveWhenDone: boolean
  /** The bound the completion times are set against, and how it is reckoned. */
  bound(fileBytes: number, leechers: PeerSpec[]): number
  readonly boundRule: string
}

/** Kumar and Ross's fluid bound for one seeder and N leechers that all start at once. */
export function fluidBound (fileBytes: number, seeder: PeerSpec, leechers: PeerSpec[]): number {
  const minDown = Math.min(...leechers.map(l => l.down))
  const sumUp = leechers.reduce((sum, l) => sum + l.up, 0)
  return Math.max(fileBytes / seeder.up, fileBytes / minDown, leechers.length * fileBytes / (seeder.up + sumUp))
}

const FLUID_RULE = 'max(F/U, F/min d_i, N·F/(U + Σu_i)) (Kumar and Ross 2006), last leecher from the start'
const labPeer: PeerSpec = { up: LAB_RATE, down: Infinity, latency: 0.01 }

/** Everyone arrives at once; 40 Mbit/s up, download uncapped (the lab's netns swarm), 10 ms access latency. */
export function flashCrowd (peers: number): Scenario {
  return {
    name: 'flash-crowd',
    peers,
    seeder: labPeer,
    leecher: () => labPeer,
    gap: () => 0,
    abortShare: 0,
    leaveWhenDone: false,
    bound: (f, leechers) => fluidBound(f, labPeer, leechers),
    boundRule: FLUID_RULE
  }
}

/**
 * Everyone at once, uploads mixed: 20% fast (100 Mbit/s), 50% lab rate (40 Mbit/s), 30% slow
 * (10 Mbit/s); every download 100 Mbit/s; access latency 5 to 50 ms; the seeder at 40 Mbit/s.
 */
export function heterogeneous (peers: number): Scenario {
  const mbit = (m: number): number => m * 1e6 / 8
  return {
    name: 'heterogeneous',
    peers,
    seeder: labPeer,
    leecher: random => {
      const draw = random()
      const up = draw < 0.2 ? mbit(100) : draw < 0.7 ? mbit(40) : mbit(10)
      return { up, down: mbit(100), latency: 0.005 + 0.045 * random() }
    },
    gap: () => 0,
    abortShare: 0,
    leaveWhenDone: false,
    bound: (f, leechers) => fluidBound(f, labPeer, leechers),
    boundRule: FLUID_RULE
  }
}

/**
 * Steady arrivals (Poisson, all N within about four download times), each leecher leaving as
 * soon as it completes, and 10% leaving part-way; lab rates. Times are per leecher (arrival
 * to completion), against Qiu and Srikant's steady-state download time with efficiency 1 and
 * seeds leaving at once: F / mean u (the seeder's share is small at this scale).
 */
export function churn (peers: number, fileBytes: number): Scenario {
  const downloadTime = fileBytes / LAB_RATE
  return {
    name: 'churn',
    peers,
    seeder: labPeer,
    leecher: () => labPeer,
    gap: random => -Math.log(1 - random()) * 4 * downloadTime / peers,
    abortShare: 0.1,
    leaveWhenDone: true,
    bound: (f, leechers) => f / (leechers.reduce((sum, l) => sum + l.up, 0) / leechers.length),
    boundRule: 'F / mean u_i (Qiu and Srikant 2004, η = 1, seeds leave at once), per leecher from its arrival'
  }
}

export const SCENARIOS = { 'flash-crowd': flashCrowd, churn, heterogeneous } as const
export type ScenarioName = keyof typeof SCENARIOS
