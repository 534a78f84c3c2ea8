/**
 * Addresses learned from the DHT (issue 12, item 10): a peer that announces itself as a
 * provider at a loopback address cannot make a node that does not listen on loopback dial its
 * own machine; with `dialLocalAddresses` (a lab) it does, side by side. (Peer exchange: see
 * test/integration/peer-exchange.spec.ts.)
 */
import assert from 'node:assert/strict'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { contentIdOf } from '../../src/core/content-id.js'
import { loopbackTrap, provideAt } from '../kit/hostile/index.js'
import { useTestContext, waitFor } from './helpers/context.js'

/** This machine's own non-loopback IPv4 address, for nodes that must not listen on loopback. */
const LAN = Object.values(networkInterfaces()).flat().find(i => i !== undefined && i.family === 'IPv4' && !i.internal)?.address

describe('integration: addresses named by peers (DHT)', function () {
  this.timeout(90_000)
  const ctx = useTestContext('dial-policy')

  /**
   * A node on the LAN address, with the DHT, holds a provider record (from a peer that has
   * since left) pointing at a loopback port where a trap counts connections, and looks for
   * that content. Resolves with the dials the trap saw within `waitMs` (or at the first).
   */
  async function loopbackDials (dialLocalAddresses: boolean, waitMs: number): Promise<{ dials: number, ms: number }> {
    const trap = await loopbackTrap()
    try {
      const node = await ctx.nodes.start(`node-${String(dialLocalAddresses)}`, { listen: [`/ip4/${LAN ?? ''}/tcp/0`], dialLocalAddresses, dht: { enabled: true } })
      const cid = contentIdOf(new TextEncoder().encode(`a manifest only the namer claims ${String(dialLocalAddresses)}`))
      await provideAt(node.addresses()[0], cid, trap.address, node.config.dht.protocol)
      await waitFor(() => node.libp2p.getPeers().length === 0, 'the namer gone')
      const started = Date.now()
      const getting = node.get(cid, { output: join(ctx.dir, `out-${String(dialLocalAddresses)}`), discoveryTimeout: waitMs }).catch(() => {})
      await waitFor(() => trap.dials() > 0 || Date.now() - started > waitMs, 'a dial or the wait', waitMs + 5000)
      const ms = Date.now() - started
      await node.stop()
      await getting
      return { dials: trap.dials(), ms }
    } finally {
      trap.close()
    }
  }

  it('a provider record pointing at loopback is not dialled by a node on a LAN address; dialLocalAddresses dials it', async function () {
    if (LAN === undefined) this.skip()
    const lab = await loopbackDials(true, 15_000)
    assert.ok(lab.dials > 0, `the lab node did not dial the provider's loopback address within ${lab.ms} ms`)
    const waitMs = Math.max(3 * lab.ms, 3000)
    const guarded = await loopbackDials(false, waitMs)
    assert.equal(guarded.dials, 0, `a node on ${LAN ?? ''} dialled 127.0.0.1 because a DHT record named it (lab node: ${lab.ms} ms to dial)`)
  })
})
