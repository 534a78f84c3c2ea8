/**
 * A swarm whose places are taken still finds the peer it needs: a leecher whose every partner
 * lacks the pieces it still wants searches the DHT for more (a swarm at half its places or
 * more searches only once it has nothing left to ask of its peers and pieces none of them
 * has), and once a partner has been of no use long enough, the one that has them takes its place.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { IDENTITIES } from '../../src/config/defaults.js'
import { TestNodes } from '../helpers/nodes.js'
import { makeFolder, sha256Tree, swarmStatus, useTestContext, waitForConnections } from './helpers/context.js'

const PIECE = 64 * 1024

describe('integration: finding peers for a swarm whose places are taken', function () {
  const ctx = useTestContext('peer-finding')

  it('a leecher whose two places hold peers with one file finds the seeder of the rest and completes', async function () {
    this.timeout(120_000)
    const source = await makeFolder(join(ctx.dir, 'src'))
    const seeder = await ctx.nodes.start('seeder', { content: { pieceSize: PIECE } })
    const { contentId } = await seeder.add(source)
    // two peers that fetched a.bin only: they can serve its pieces and no others
    const partials = []
    for (const name of ['partial1', 'partial2']) {
      const node = await ctx.nodes.start(name, { bootstrap: [TestNodes.address(seeder)] })
      await node.get(contentId, { output: join(ctx.dir, name, 'album'), only: ['a.bin'], discoveryTimeout: 20_000 })
      partials.push(node)
    }
    // the leecher knows only them, and trades with two peers at most: both places taken at once
    const leecher = await ctx.nodes.start('leecher', {
      bootstrap: partials.map(p => TestNodes.address(p)),
      limits: { maxPeersPerSwarm: 2 }
    })
    await waitForConnections(leecher, partials.map(p => p.peerId))
    assert.ok(!leecher.libp2p.getPeers().some(p => p.toString() === seeder.peerId), 'the leecher must not start connected to the seeder')

    const started = Date.now()
    const output = join(ctx.dir, 'out', 'album')
    await leecher.get(contentId, { output, discoveryTimeout: 20_000 })
    const seconds = (Date.now() - started) / 1000
    assert.deepEqual(await sha256Tree(output), await sha256Tree(source))
    const swarm = swarmStatus(leecher, contentId)
    assert.equal(swarm.state, 'seeding')
    assert.ok(swarm.peers <= 2, `${swarm.peers} peers in a swarm of 2 places`)
    // the seeder got in only by taking an idle partner's place: not before minIdleToDrop
    assert.ok(seconds * 1000 >= IDENTITIES.minIdleToDrop - 1000, `complete after ${seconds.toFixed(1)} s, before a partner could have been idle long enough`)
  })
})
