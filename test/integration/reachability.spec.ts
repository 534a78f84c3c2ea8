/**
 * Reachability in status (issue 16, items 2 and 3) between real nodes on loopback: AutoNAT v2
 * tests public addresses only, so on loopback (or a LAN) it never says `public` or `private`:
 * `reachability` stays `unknown` and `confirmedAddresses` empty. Each traded peer's
 * `connection` is `direct` over TCP. UPnP runs only with `nat.upnp`: without a router the node
 * still starts and `mappedAddresses` is empty.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { MiB, fetchAndVerify, makeFile, useTestContext, waitForConnections } from './helpers/context.js'

describe('integration: reachability and connection kinds', function () {
  this.timeout(60_000)
  const ctx = useTestContext('reach')

  it('on loopback AutoNAT leaves reachability unknown; a traded peer is direct', async () => {
    const seeder = await ctx.nodes.start('seeder')
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)] })
    await waitForConnections(leecher, [seeder.peerId])
    const source = await makeFile(join(ctx.dir, 'src'), 'file.bin', MiB)
    const added = await seeder.add(source)
    let seen: string | undefined
    // asked while the transfer runs: two seeds need not stay in each other's swarm
    await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'file.bin'), source, {
      onProgress: () => { seen ??= leecher.status({ peers: true }).swarms[0]?.peerDetails?.find(p => p.peerId === seeder.peerId)?.connection }
    })
    assert.equal(seen, 'direct')
    for (const node of [seeder, leecher]) {
      const status = node.status({ peers: true })
      assert.equal(status.reachability, 'unknown')
      assert.deepEqual(status.confirmedAddresses, [])
      assert.equal(status.mappedAddresses, undefined, 'no UPnP without nat.upnp')
      assert.equal(node.libp2p.services.upnp, undefined, 'no UPnP service without nat.upnp')
    }
  })

  it('nat.upnp: the node starts without a router, and status shows no mapping yet', async () => {
    const node = await ctx.nodes.start('upnp', { nat: { upnp: true } })
    assert.notEqual(node.libp2p.services.upnp, undefined)
    assert.deepEqual(node.status().mappedAddresses, [])
  })
})
