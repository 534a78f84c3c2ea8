import { execFileSync } from 'node:child_process'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomFile, sha256File } from './files.js'
import { monitor, round } from './monitor.js'
import { ShoalProcess } from './processes.js'
import type { ShoalProcessOptions } from './processes.js'
import type { SwarmStatus } from '../src/swarm/types.js'
import type { MeshRow } from './raw-mesh.js'

/** Where the nodes of a scaling run live and how their upload is capped. */
export interface ScalingHosts {
  readonly name: string
  /** How node `index` (0 = the seeder) is started. */
  node(index: number): ShoalProcessOptions
}

export interface ScalingRow {
  hosts: string
  leechers: number
  /** From the first leecher's start to the last leecher's completion, as the nodes report them. */
  seconds: number
  /** One server uploading every copy: N·F / u_s. */
  clientServerSeconds: number
  /** Kumar and Ross's fluid lower bound: max(F / u_s, N·F / (u_s + N·u)) (downloads uncapped). */
  boundSeconds: number
  ratio: number
  /** Each leecher's completion, in seconds from the first leecher's start. */
  leecherSeconds: number[]
  /** What the seeder uploaded, in copies of the content. */
  seederCopies: number
  /** Share of the leechers' bytes that came from other leechers. */
  leecherShare: number
  /** CPU seconds all nodes used during the transfer, and that over its duration (2 = both cores busy on this machine). */
  cpuSeconds: number
  coresBusy: number
  /** Largest peak RSS of any node, MiB. */
  peakRssMiB: number
  /** MiB every leecher got from the seeder before the timed transfer (0: the nodes were cold). */
  warmUpMiB: number
  /** The same count's baseline on the same hosts (bench/raw-mesh.ts), when run. */
  rawMesh?: MeshRow
}

/** Every node's upload capped by Shoal's own token bucket (`limits.uploadRate`), on loopback. */
export function loopbackHosts (rate: number): ScalingHosts {
  return { name: 'loopback, limits.uploadRate', node: () => ({ config: { limits: { uploadRate: rate, maxConnectionsPerAddress: 1000 } } }) }
}

const LAB = fileURLToPath(new URL('../../../shared/lab/lab.sh', import.meta.url))
const LAB_PREFIX = 'shoalbench'
const LAB_NET = '10.78.0'

/**
 * Network namespaces from ../shared/lab with a kernel cap on every host's upload. Needs
 * root and the lab script; `available` says why not otherwise.
 */
export const netnsLab = {
  available (): string | undefined {
    if (process.getuid?.() !== 0) return 'needs root (ip netns)'
    try {
      execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' })
      execFileSync('test', ['-x', LAB])
    } catch {
      return `needs iproute2 and ${LAB}`
    }
    return undefined
  },

  up (hostCount: number, rate: string): ScalingHosts {
    const env = { ...process.env, LAB_PREFIX, LAB_NET }
    execFileSync(LAB, ['down'], { env, stdio: 'ignore' })
    execFileSync(LAB, ['up', String(hostCount), '--up', rate], { env, stdio: 'ignore' })
    return {
      name: `netns, ${rate} kernel cap`,
      node: (index) => ({
        listen: [`/ip4/${LAB_NET}.${index + 1}/tcp/4001`],
        wrap: ['ip', 'netns', 'exec', `${LAB_PREFIX}-h${index}`]
      })
    }
  },

  down (): void {
    execFileSync(LAB, ['down'], { env: { ...process.env, LAB_PREFIX, LAB_NET }, stdio: 'ignore' })
  }
}

/**
 * One seeder and `leechers` leechers, real `shoal start` processes on `hosts`, every upload
 * capped at `rate` bytes/s: all leechers get `bytes` of random content at once. Timed by
 * the nodes' own swarm start and completion stamps, so CLI start-up does not count. With
 * `warmUpBytes`, every leecher first gets another content of that size, untimed: the nodes
 * are then connected and their code compiled, as long-running nodes' would be.
 */
export async function swarmScaling (root: string, hosts: ScalingHosts, leechers: number, bytes: number, rate: number, warmUpBytes = 0): Promise<ScalingRow> {
  await mkdir(root, { recursive: true })
  const source = join(root, 'content.bin')
  const sourceHash = await randomFile(source, bytes)
  const nodes: ShoalProcess[] = []
  try {
    const folder = async (name: string): Promise<string> => {
      const path = join(root, name)
      await mkdir(path, { recursive: true })
      return path
    }
    const seeder = await ShoalProcess.start('seeder', await folder('seeder'), hosts.node(0))
    nodes.push(seeder)
    const contentId = (await seeder.cli('add', source)).trim().split('\n').at(-1) as string
    const address = (await seeder.status()).addresses[0]
    const names = Array.from({ length: leechers }, (_, i) => `leecher${i + 1}`)
    const peers = await Promise.all(names.map(async (name, i) => await ShoalProcess.start(name, await folder(name), { ...hosts.node(i + 1), bootstrap: [address] })))
    nodes.push(...peers)
    // one at a time: each poll is a CLI process, and they connect in parallel anyway
    for (const peer of peers) await peer.waitConnected(60_000)

    if (warmUpBytes > 0) await warmUp(root, seeder, peers, warmUpBytes)
    const outputs = names.map(name => join(root, name, 'content.bin'))
    // through the API, each from a process started and loaded beforehand: sixteen CLIs
    // starting at once would spend the first second's CPU inside the timed window
    const gets = await Promise.all(peers.map(async (p, i) => await p.apiGet(contentId, outputs[i])))
    const usage = monitor(nodes.map(n => n.pid), 500)
    const issued = performance.now()
    for (const get of gets) get.go()
    await Promise.all(gets.map(async get => { await get.done }))
    const used = usage()
    const wall = (performance.now() - issued) / 1000
    const swarms = await Promise.all(nodes.map(async n => swarmOf(await n.status(), contentId)))
    for (const output of outputs) {
      if (await sha256File(output) !== sourceHash) throw new Error(`${output} differs from the source`)
    }
    const leecherSwarms = swarms.slice(1)
    const started = Math.min(...leecherSwarms.map(s => s.startedAt))
    const finished = Math.max(...leecherSwarms.map(s => s.completedAt ?? Number.NaN))
    const seconds = (finished - started) / 1000
    const bound = fluidBoundSeconds(bytes, leechers, rate)
    const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0)
    return {
      hosts: hosts.name,
      leechers,
      seconds: round(seconds),
      clientServerSeconds: round(leechers * bytes / rate),
      boundSeconds: round(bound),
      ratio: round(seconds / bound, 3),
      leecherSeconds: leecherSwarms.map(s => round(((s.completedAt ?? Number.NaN) - started) / 1000)).sort((a, b) => a - b),
      seederCopies: round(swarms[0].uploaded / bytes, 3),
      leecherShare: round(sum(leecherSwarms.map(s => s.uploaded)) / sum(leecherSwarms.map(s => s.downloaded)), 3),
      cpuSeconds: round(sum(used.map(u => u.cpuSeconds))),
      coresBusy: round(sum(used.map(u => u.cpuSeconds)) / wall),
      peakRssMiB: Math.max(...used.map(u => u.peakRssMiB)),
      warmUpMiB: round(warmUpBytes / 1024 / 1024)
    }
  } finally {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    await rm(root, { recursive: true, force: true })
  }
}

/** Kumar and Ross's fluid lower bound for a seeder and `leechers` that all upload `rate` bytes/s (downloads uncapped). */
export function fluidBoundSeconds (bytes: number, leechers: number, rate: number): number {
  return Math.max(bytes / rate, leechers * bytes / (rate + leechers * rate))
}

/** Every leecher gets a content of `bytes` from the seeder at once, untimed; then a pause for the nodes to settle. */
async function warmUp (root: string, seeder: ShoalProcess, peers: ShoalProcess[], bytes: number): Promise<void> {
  const source = join(root, 'warm-up.bin')
  await randomFile(source, bytes)
  const contentId = (await seeder.cli('add', source)).trim().split('\n').at(-1) as string
  const gets = await Promise.all(peers.map(async (p, i) => await p.apiGet(contentId, join(root, `warm-up-${i}.bin`))))
  for (const get of gets) get.go()
  await Promise.all(gets.map(async get => { await get.done }))
  await new Promise(resolve => setTimeout(resolve, WARM_UP_SETTLE_MS))
}

/** ms after a warm-up before the timed transfer: announcements and searches it started end. */
const WARM_UP_SETTLE_MS = 3000

function swarmOf (status: { peerId: string, swarms: SwarmStatus[] }, contentId: string): SwarmStatus {
  const swarm = status.swarms.find(w => w.contentId === contentId)
  if (swarm === undefined) throw new Error(`node ${status.peerId} has no swarm for ${contentId}`)
  return swarm
}
