/**
 * Private swarms (libp2p pnet with a pre-shared key): members trade large content intact
 * (no stall after the first few MB), outsiders with another key or no key cannot even
 * connect, and a malformed key file, or one other users can read, stops the node at creation.
 */
import assert from 'node:assert/strict'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createNode, generateSwarmKey } from '../../src/index.js'
import { TestNodes } from '../helpers/nodes.js'
import { MiB, exists, fetchAndVerify, makeFile, rejectsNamed, useTestContext, waitForConnections } from './helpers/context.js'
import type { ShoalNode } from '../../src/index.js'

describe('integration: private swarm (swarmKey)', function () {
  const ctx = useTestContext('pnet')

  async function keyFile (name: string, text = generateSwarmKey()): Promise<string> {
    const path = join(ctx.dir, name)
    await writeFile(path, text, { mode: 0o600 })
    return path
  }

  /** Connections between two nodes, seen from either side. */
  function connectionsBetween (a: ShoalNode, b: ShoalNode): number {
    return a.libp2p.getConnections().filter(c => c.remotePeer.toString() === b.peerId).length +
      b.libp2p.getConnections().filter(c => c.remotePeer.toString() === a.peerId).length
  }

  it('a member with the same key gets a >100 MiB file intact (no pnet stall)', async function () {
    this.timeout(60_000)
    const swarmKey = await keyFile('swarm.key')
    const source = await makeFile(join(ctx.dir, 'src'), 'large.bin', 101 * MiB + 4321)
    const seeder = await ctx.nodes.start('seeder', { swarmKey })
    const member = await ctx.nodes.start('member', { swarmKey, bootstrap: [TestNodes.address(seeder)] })
    assert.ok(seeder.status().swarmKey !== undefined && seeder.status().swarmKey === member.status().swarmKey, 'both nodes should show the same key fingerprint')
    await waitForConnections(member, [seeder.peerId])
    const added = await seeder.add(source)
    const { ms } = await fetchAndVerify(member, added.contentId, join(ctx.dir, 'out', 'large.bin'), source)
    this.test!.title += ` (${(added.size / MiB / (ms / 1000)).toFixed(0)} MiB/s)`
  })

  it('nodes with another key or with no key cannot connect and find no providers', async function () {
    this.timeout(60_000)
    const swarmKey = await keyFile('swarm.key')
    const otherKey = await keyFile('other.key')
    const seeder = await ctx.nodes.start('seeder', { swarmKey })
    const added = await seeder.add(await makeFile(join(ctx.dir, 'src'), 'secret.bin', 1 * MiB))
    const bootstrap = [TestNodes.address(seeder)]
    const outsiders = [
      await ctx.nodes.start('other-key', { swarmKey: otherKey, bootstrap }),
      await ctx.nodes.start('no-key', { bootstrap })
    ]
    assert.notEqual(outsiders[0].status().swarmKey, seeder.status().swarmKey)
    assert.equal(outsiders[1].status().swarmKey, undefined)

    await Promise.all(outsiders.map(async (outsider, i) => {
      const output = join(ctx.dir, `out${i}`, 'secret.bin')
      await rejectsNamed(outsider.get(added.contentId, { output, discoveryTimeout: 2000 }), 'NoProvidersError')
      assert.equal(await exists(output), false)
      // a direct dial fails too
      await assert.rejects(outsider.libp2p.dial(seeder.libp2p.getMultiaddrs()[0]))
      assert.equal(connectionsBetween(outsider, seeder), 0, `${outsider.config.dataDir} got a connection to the private seeder`)
    }))
    assert.equal(seeder.status().connections, 0)
  })

  it('a malformed or missing key file stops createNode with SwarmKeyError', async function () {
    this.timeout(30_000)
    const good = generateSwarmKey()
    const lines = good.trim().split('\n')
    const bad = {
      'garbage.key': 'this is not a swarm key',
      'empty.key': '',
      'wrong-header.key': ['/key/swarm/psk/2.0.0/', lines[1], lines[2]].join('\n'),
      'wrong-encoding.key': [lines[0], '/base64/', lines[2]].join('\n'),
      'short.key': [lines[0], lines[1], lines[2].slice(0, 62)].join('\n'),
      'not-hex.key': [lines[0], lines[1], 'z'.repeat(64)].join('\n')
    }
    for (const [name, text] of Object.entries(bad)) {
      const swarmKey = await keyFile(name, text)
      await rejectsNamed(createNode({ dataDir: join(ctx.dir, 'nodes', name), listen: ['/ip4/127.0.0.1/tcp/0'], swarmKey }), 'SwarmKeyError')
    }
    await rejectsNamed(createNode({ dataDir: join(ctx.dir, 'nodes', 'missing'), listen: ['/ip4/127.0.0.1/tcp/0'], swarmKey: join(ctx.dir, 'no-such.key') }), 'SwarmKeyError')
  })

  it('a key file other users can read is refused at start with SwarmKeyError saying how to fix it; chmod 600 and it starts', async function () {
    this.timeout(30_000)
    const swarmKey = await keyFile('loose.key')
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      await chmod(swarmKey, mode)
      const err = await rejectsNamed(createNode({ dataDir: join(ctx.dir, 'nodes', 'loose'), listen: ['/ip4/127.0.0.1/tcp/0'], swarmKey }), 'SwarmKeyError')
      assert.match(err.message, /chmod 600/)
      assert.ok(err.message.includes(swarmKey))
    }
    await chmod(swarmKey, 0o600)
    const node = await ctx.nodes.start('tight', { swarmKey })
    assert.ok(node.status().swarmKey !== undefined)
  })
})
