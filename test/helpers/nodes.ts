import { prefixLogger } from '@libp2p/logger'
import { join } from 'node:path'
import { createNode } from '../../src/index.js'
import type { ConfigInput, ShoalNode } from '../../src/index.js'

/**
 * Real Shoal nodes in this process, on loopback TCP with any free port, each in its own
 * folder under `root` and with its own log prefix (DEBUG=<name>:shoal* shows one node).
 */
export class TestNodes {
  readonly nodes: ShoalNode[] = []

  constructor (private readonly root: string) {}

  async start (name: string, overrides: Partial<ConfigInput> = {}): Promise<ShoalNode> {
    const node = await createNode({
      dataDir: join(this.root, name),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      api: { host: '127.0.0.1', port: 0 },
      // isolated unless a test introduces them: mDNS would connect every node on this machine
      mdns: { enabled: false },
      ...overrides
    }, { logger: prefixLogger(name) })
    this.nodes.push(node)
    return node
  }

  /** A node's first listen address (with /p2p/), for another node's bootstrap list. */
  static address (node: ShoalNode): string {
    return node.addresses()[0]
  }

  async stopAll (): Promise<void> {
    await Promise.all(this.nodes.splice(0).map(async n => { await n.stop() }))
  }
}
