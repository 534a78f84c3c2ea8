/**
 * @packageDocumentation
 *
 * `shoal/testing`: real Shoal nodes in one process, for testing a protocol module in a few
 * lines. Every node listens on loopback TCP (any free port), has its own data folder and
 * log prefix (DEBUG=node0:shoal* shows one node), and loads the protocol modules given.
 *
 * @example
 * ```ts
 * import { startTestNodes } from 'shoal/testing'
 * const net = await startTestNodes({ count: 2, protocols: [{ module: './my-protocol.js' }] })
 * try {
 *   const mine = net.nodes[0].protocol<MyProtocol>('./my-protocol.js')
 * } finally {
 *   await net.stop()
 * }
 * ```
 */

import { TimeoutError } from '@libp2p/interface'
import { prefixLogger } from '@libp2p/logger'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createNode } from '../node/shoal-node.js'
import type { ConfigInput } from '../config/schema.js'
import type { ProtocolModuleSpec } from '../node/protocol-api.js'
import type { ShoalNode } from '../node/shoal-node.js'

/** How the nodes are introduced, through their `bootstrap` lists. */
export type Topology = 'none' | 'chain' | 'star' | 'mesh'

export interface StartTestNodesOptions {
  /** @default 2 */
  count?: number
  /** Loaded by every node, as the config's `protocols` key would. */
  protocols?: ProtocolModuleSpec[]
  /** Folder relative module paths and package names resolve from. @default the working directory */
  baseDir?: string
  /** Where the nodes keep their data. @default a new temporary folder, removed by `stop()` */
  dir?: string
  /** Run the Kademlia DHT. @default false */
  dht?: boolean
  /** Find each other by mDNS (it would find every node on the machine, this network's or not). @default false */
  mdns?: boolean
  /**
   * 'chain': node i bootstraps to node i-1; 'star': every node to node 0; 'mesh': every node
   * to every earlier one; 'none': nobody. Resolves once those connections are up. @default 'star'
   */
  connect?: Topology
  /** More config per node (applied last). */
  config?: Partial<ConfigInput> | ((index: number) => Partial<ConfigInput>)
  /** ms to wait for the connections. @default 10000 */
  timeout?: number
}

export interface TestNetwork {
  readonly nodes: ShoalNode[]
  /** The folder holding the nodes' data folders (node0, node1, …). */
  readonly dir: string
  /** Stop every node (in parallel) and remove the folder if the helper made it. */
  stop(): Promise<void>
}

/** Start `count` real nodes with the given protocols loaded, connected as asked. */
export async function startTestNodes (options: StartTestNodesOptions = {}): Promise<TestNetwork> {
  const count = options.count ?? 2
  const dir = options.dir ?? await mkdtemp(join(tmpdir(), 'shoal-testing-'))
  const nodes: ShoalNode[] = []
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.splice(0).map(async n => { await n.stop() }))
    if (options.dir === undefined) await rm(dir, { recursive: true, force: true })
  }
  try {
    for (let i = 0; i < count; i++) {
      const bootstrap = bootstrapFor(i, options.connect ?? 'star', nodes)
      nodes.push(await startOne(i, dir, bootstrap, options))
    }
    await waitForTopology(nodes, options.connect ?? 'star', options.timeout ?? 10_000)
  } catch (err) {
    await stop()
    throw err
  }
  return { nodes, dir, stop }
}

async function startOne (index: number, dir: string, bootstrap: string[], options: StartTestNodesOptions): Promise<ShoalNode> {
  const extra = typeof options.config === 'function' ? options.config(index) : options.config
  return await createNode({
    dataDir: join(dir, `node${index}`),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    api: { host: '127.0.0.1', port: 0 },
    bootstrap,
    dht: { enabled: options.dht ?? false },
    mdns: { enabled: options.mdns ?? false },
    protocols: (options.protocols ?? []).map(p => ({ module: p.module, options: p.options ?? {} })),
    ...extra
  }, { logger: prefixLogger(`node${index}`), protocolBaseDir: options.baseDir ?? process.cwd() })
}

function bootstrapFor (index: number, topology: Topology, earlier: ShoalNode[]): string[] {
  if (index === 0 || topology === 'none') return []
  const targets = topology === 'chain' ? [earlier[index - 1]] : topology === 'star' ? [earlier[0]] : earlier
  return targets.map(n => n.addresses()[0])
}

async function waitForTopology (nodes: ShoalNode[], topology: Topology, timeout: number): Promise<void> {
  const pairs: Array<[ShoalNode, ShoalNode]> = []
  for (let i = 1; i < nodes.length; i++) {
    if (topology === 'chain') pairs.push([nodes[i], nodes[i - 1]])
    if (topology === 'star') pairs.push([nodes[i], nodes[0]])
    if (topology === 'mesh') for (let j = 0; j < i; j++) pairs.push([nodes[i], nodes[j]])
  }
  await waitFor(() => pairs.every(([a, b]) => a.libp2p.getPeers().some(p => p.equals(b.libp2p.peerId))), { timeout, what: 'the test nodes to connect' })
}

export interface WaitForOptions {
  /** @default 10000 */
  timeout?: number
  /** ms between checks. @default 50 */
  interval?: number
  /** Named in the TimeoutError. */
  what?: string
}

/** Poll `condition` until it holds; a TimeoutError after `timeout` ms. */
export async function waitFor (condition: () => boolean | Promise<boolean>, options: WaitForOptions = {}): Promise<void> {
  const timeout = options.timeout ?? 10_000
  const deadline = Date.now() + timeout
  while (!(await condition())) {
    if (Date.now() > deadline) throw new TimeoutError(`timed out after ${timeout} ms waiting for ${options.what ?? 'a condition'}`)
    await new Promise(resolve => setTimeout(resolve, options.interval ?? 50))
  }
}

export type { ShoalNode }
