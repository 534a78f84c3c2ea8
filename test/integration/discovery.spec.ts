/**
 * Finding content by its id alone: a leecher that knows only a bootstrap node (which has
 * nothing) finds the seeder through Shoal's Kademlia DHT; and get's refusals: nobody has it,
 * a malformed id, a taken output path.
 */
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { contentIdOf } from '../../src/core/content-id.js'
import { TestNodes } from '../helpers/nodes.js'
import { MiB, exists, fetchAndVerify, makeFile, rejectsNamed, sha256File, useTestContext, waitForConnections } from './helpers/context.js'
import type { ShoalNode } from '../../src/index.js'

describe('integration: discovery through the DHT', function () {
  const ctx = useTestContext('discovery')

  /** B: bootstrap with nothing; S: seeder, bootstrap B; L: leecher, bootstrap B only. */
  async function startTrio (): Promise<{ b: ShoalNode, s: ShoalNode, l: ShoalNode }> {
    const b = await ctx.nodes.start('bootstrap')
    const bootstrap = [TestNodes.address(b)]
    const s = await ctx.nodes.start('seeder', { bootstrap })
    const l = await ctx.nodes.start('leecher', { bootstrap })
    return { b, s, l }
  }

  it('a leecher that only knows the bootstrap node finds the seeder through the DHT', async function () {
    this.timeout(60_000)
    const { b, s, l } = await startTrio()
    assert.equal(b.config.dht.protocol, '/shoal/kad/1.0.0')
    assert.ok(!l.config.bootstrap.some(a => a.includes(s.peerId)), 'the leecher must not be told about the seeder')
    await waitForConnections(s, [b.peerId])
    await waitForConnections(l, [b.peerId])
    // kad-dht under Shoal's own protocol id, on every node
    for (const node of [b, s, l]) assert.ok(node.libp2p.getProtocols().includes('/shoal/kad/1.0.0'), `${node.peerId} does not run /shoal/kad/1.0.0`)
    assert.ok(!b.libp2p.getProtocols().includes('/ipfs/kad/1.0.0'), 'the node joined the IPFS DHT')

    const source = await makeFile(join(ctx.dir, 'src'), 'found.bin', 3 * MiB + 5)
    const added = await s.add(source)
    assert.equal(b.status().swarms.length, 0, 'the bootstrap node must have nothing')

    await fetchAndVerify(l, added.contentId, join(ctx.dir, 'out', 'found.bin'), source, { discoveryTimeout: 30_000 })
    assert.ok(l.libp2p.getPeers().some(p => p.toString() === s.peerId), 'the leecher never connected to the seeder')
    const served = s.status().swarms.find(x => x.contentId === added.contentId)
    assert.ok(served !== undefined && served.uploaded >= added.size, `the seeder uploaded ${served?.uploaded} of ${added.size} bytes`)
  })

  it('a content id that nobody has fails with NoProvidersError within the discovery timeout and writes nothing', async function () {
    this.timeout(30_000)
    const { l } = await startTrio()
    const unknown = contentIdOf(new TextEncoder().encode('a manifest nobody ever made')).toString()
    const output = join(ctx.dir, 'out', 'nothing.bin')
    const started = Date.now()
    await rejectsNamed(l.get(unknown, { output, discoveryTimeout: 2000 }), 'NoProvidersError')
    const took = Date.now() - started
    assert.ok(took >= 1500 && took < 8000, `took ${took} ms for a 2000 ms discovery timeout`)
    assert.equal(await exists(output), false, 'a failed get left its output behind')
    assert.equal(l.status().swarms.length, 0, 'a failed get left a swarm behind')
  })

  it('a malformed content id fails with InvalidContentIdError', async function () {
    this.timeout(30_000)
    const { l } = await startTrio()
    const output = join(ctx.dir, 'out', 'x')
    for (const bad of ['not-a-cid', '', 'bafy', 'QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG', 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi']) {
      await rejectsNamed(l.get(bad, { output, discoveryTimeout: 2000 }), 'InvalidContentIdError')
    }
    assert.equal(await exists(output), false)
  })

  it('get into an existing path fails with PathError, and force does not replace a path no download of the content made', async function () {
    this.timeout(60_000)
    const { b, s, l } = await startTrio()
    await waitForConnections(s, [b.peerId])
    const source = await makeFile(join(ctx.dir, 'src'), 'taken.bin', 2 * MiB)
    const added = await s.add(source)
    const output = join(ctx.dir, 'out', 'taken.bin')
    await makeFile(join(ctx.dir, 'out'), 'taken.bin', 1000)
    const before = await sha256File(output)
    await rejectsNamed(l.get(added.contentId, { output, discoveryTimeout: 20_000 }), 'PathError')
    assert.equal(await sha256File(output), before, 'a refused get changed the existing file')
    assert.equal(l.status().swarms.length, 0)

    // a folder in the way is refused too
    const folder = join(ctx.dir, 'out', 'a-folder')
    await makeFile(folder, 'keep.txt', 10)
    await rejectsNamed(l.get(added.contentId, { output: folder, discoveryTimeout: 20_000 }), 'PathError')
    assert.ok(await exists(join(folder, 'keep.txt')))

    // --force does not replace what no download of this content made, and says why
    const forced = await rejectsNamed(l.get(added.contentId, { output, force: true, discoveryTimeout: 20_000 }), 'PathError')
    assert.match(forced.message, /was not made by a download of .*: --force replaces only what a get of the same content left there/)
    assert.equal(await sha256File(output), before, 'a refused forced get changed the existing file')
    await rejectsNamed(l.get(added.contentId, { output: folder, force: true, discoveryTimeout: 20_000 }), 'PathError')
    assert.ok(await exists(join(folder, 'keep.txt')))
  })

  it('get of content this node already has: force replaces a copy a get made, never a foreign file', async function () {
    this.timeout(60_000)
    const { b, s, l } = await startTrio()
    await waitForConnections(s, [b.peerId])
    const source = await makeFile(join(ctx.dir, 'src'), 'twice.bin', 1 * MiB)
    const added = await s.add(source)
    await fetchAndVerify(l, added.contentId, join(ctx.dir, 'out', 'first.bin'), source, { discoveryTimeout: 30_000 })
    const second = join(ctx.dir, 'out', 'second.bin')
    await writeFile(second, 'in the way')
    await rejectsNamed(l.get(added.contentId, { output: second }), 'PathError')
    await rejectsNamed(l.get(added.contentId, { output: second, force: true }), 'PathError')
    assert.equal(await readFile(second, 'utf8'), 'in the way')
    // a copy a get made, changed since: --force replaces it
    const third = join(ctx.dir, 'out', 'third.bin')
    assert.equal(await l.get(added.contentId, { output: third }), third)
    await writeFile(third, 'edited')
    const refused = await rejectsNamed(l.get(added.contentId, { output: third }), 'PathError')
    assert.match(refused.message, /use --force to replace it/)
    const path = await l.get(added.contentId, { output: third, force: true })
    assert.equal(path, third)
    assert.equal(await sha256File(third), await sha256File(source))
  })
})
