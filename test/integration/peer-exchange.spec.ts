/**
 * The peer-exchange example: with the DHT off, a leecher that knows one other leecher finds
 * the seeder through it; hostile messages (huge lists, bogus addresses, floods) are refused.
 */
import assert from 'node:assert/strict'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { encodePex } from '../../protocols/peer-exchange/codec.js'
import { MAX_RATE_ENTRIES } from '../../protocols/peer-exchange/constants.js'
import { PexMessage } from '../../protocols/peer-exchange/pb/peer-exchange.js'
import { startTestNodes, waitFor } from '../../src/testing/index.js'
import { tempDir } from '../helpers/temp.js'
import { floodPexContentIds, loopbackTrap, namePeerViaPex, sendPex } from '../kit/hostile/index.js'
import { MiB, fetchAndVerify, makeFile } from './helpers/context.js'
import { plainLibp2p } from './helpers/plain-libp2p.js'
import type { PeerExchange } from '../../protocols/peer-exchange/index.js'
import type { TestNetwork } from '../../src/testing/index.js'
import type { Libp2p } from '@libp2p/interface'

const PEX = fileURLToPath(new URL('../../protocols/peer-exchange/index.js', import.meta.url))
const pex = (net: TestNetwork, i: number): PeerExchange => net.nodes[i].protocol<PeerExchange>(PEX) as PeerExchange

describe('peer exchange (the module loaded with options of its own)', function () {
  this.timeout(90_000)
  let net: TestNetwork | undefined
  let dir: { path: string, cleanup: () => Promise<void> }
  let plain: Libp2p | undefined
  beforeEach(async () => { dir = await tempDir('shoal-it-pex-') })
  afterEach(async () => {
    await plain?.stop()
    await net?.stop()
    plain = net = undefined
    await dir.cleanup()
  })

  it('with the DHT off, a leecher that knows only another leecher finds the seeder through PEX', async () => {
    // node0 = seeder S, node1 = leecher A (bootstrap S), node2 = leecher B (bootstrap A only)
    net = await startTestNodes({ count: 3, connect: 'chain', dht: false, protocols: [{ module: PEX, options: { interval: 2000 } }], dir: join(dir.path, 'nodes') })
    const [s, a, b] = net.nodes
    assert.ok(!b.libp2p.getPeers().some(p => p.equals(s.libp2p.peerId)), 'B must not start out connected to S')
    assert.equal((await b.libp2p.peerStore.has(s.libp2p.peerId)), false, 'B must not know S yet')
    const source = await makeFile(join(dir.path, 'src'), 'pex.bin', 64 * MiB)
    const { contentId } = await s.add(source)
    await fetchAndVerify(a, contentId, join(dir.path, 'a', 'pex.bin'), source)
    await fetchAndVerify(b, contentId, join(dir.path, 'b', 'pex.bin'), source)
    assert.ok(b.libp2p.getPeers().some(p => p.equals(s.libp2p.peerId)), 'B never connected to S')
    assert.ok(pex(net, 2).stats().learned >= 1, `B learned no peer: ${JSON.stringify(pex(net, 2).stats())}`)
    assert.ok(pex(net, 1).stats().sent >= 1)
    assert.deepEqual(b.status().protocols.at(-1), { module: PEX, protocolIds: ['/shoal/pex/1.0.0'] })
  })

  it('built in: with no module in the config the node runs it, and B finds S the same way; peerExchange.enabled false leaves it out', async () => {
    net = await startTestNodes({ count: 3, connect: 'chain', dht: false, dir: join(dir.path, 'nodes') })
    const [s, a, b] = net.nodes
    const source = await makeFile(join(dir.path, 'src'), 'pex.bin', 8 * MiB)
    const { contentId } = await s.add(source)
    await fetchAndVerify(a, contentId, join(dir.path, 'a', 'pex.bin'), source)
    await fetchAndVerify(b, contentId, join(dir.path, 'b', 'pex.bin'), source)
    assert.ok(b.libp2p.getPeers().some(p => p.equals(s.libp2p.peerId)), 'B never connected to S')
    assert.deepEqual(b.status().protocols.filter(p => p.protocolIds.includes('/shoal/pex/1.0.0')), [{ module: 'shoal:peer-exchange', protocolIds: ['/shoal/pex/1.0.0'] }])
    await net.stop()
    net = await startTestNodes({ count: 1, dht: false, config: { peerExchange: { enabled: false } }, dir: join(dir.path, 'off') })
    assert.deepEqual(net.nodes[0].status().protocols.filter(p => p.protocolIds.includes('/shoal/pex/1.0.0')), [])
  })

  it('a steady swarm\'s peers are told nothing again: only a changed list goes out', async () => {
    // B downloads slowly, so S and A keep it as a peer while the lists could go out again
    net = await startTestNodes({ count: 3, connect: 'chain', dht: false, protocols: [{ module: PEX, options: { interval: 1000 } }], config: (i) => i === 2 ? { limits: { downloadRate: 256 * 1024 } } : {}, dir: join(dir.path, 'nodes') })
    const [s, a, b] = net.nodes
    const source = await makeFile(join(dir.path, 'src'), 'steady.bin', 16 * MiB)
    const { contentId } = await s.add(source)
    await fetchAndVerify(a, contentId, join(dir.path, 'a', 'steady.bin'), source)
    const slow = b.get(contentId, { output: join(dir.path, 'b', 'steady.bin'), discoveryTimeout: 20_000 }).catch(() => undefined)
    await waitFor(() => b.status().swarms.some(w => w.contentId === contentId && w.peers === 2), { timeout: 20_000 })
    const sent = (): number => [0, 1, 2].reduce((sum, i) => sum + pex(net as TestNetwork, i).stats().sent, 0)
    await new Promise(resolve => setTimeout(resolve, 2500))
    const before = sent()
    assert.ok(before >= 2, `messages while the swarm formed: ${before}`)
    await new Promise(resolve => setTimeout(resolve, 4000))
    assert.ok(b.status().swarms.some(w => w.contentId === contentId && w.state === 'downloading' && w.peers === 2), 'B still downloading from both')
    assert.equal(sent(), before, 'the same lists went out again')
    await net.stop()
    net = undefined
    await slow
  })

  describe('hostile messages are refused', () => {
    let contentId: string
    const target = (): string => net?.nodes[1].addresses()[0] as string

    beforeEach(async () => {
      // node1 is the target; node0 seeds a content the messages name
      net = await startTestNodes({ count: 2, connect: 'none', protocols: [{ module: PEX, options: { interval: 60_000 } }], dir: join(dir.path, 'nodes') })
      const source = await makeFile(join(dir.path, 'src'), 'h.bin', MiB)
      contentId = (await net.nodes[0].add(source)).contentId
      plain = await plainLibp2p()
    })

    async function sendRaw (bytes: Uint8Array): Promise<void> {
      const stream = await (plain as Libp2p).dialProtocol(multiaddr(target()), '/shoal/pex/1.0.0')
      await lpStream(stream, { maxDataLength: 1024 * 1024 }).write(bytes).catch(() => {})
      await stream.close().catch(() => {})
    }

    async function refusedCount (n: number): Promise<void> {
      await waitFor(() => pex(net as TestNetwork, 1).stats().refused >= n, { what: `${n} refused messages`, timeout: 5000 })
    }

    it('an oversized message, a list over the cap, a bogus address: refused, nothing learned', async () => {
      const victim = peerIdFromString(net?.nodes[0].peerId as string)
      await sendRaw(new Uint8Array(40 * 1024))
      await refusedCount(1)
      await sendRaw(PexMessage.encode({ contentId, peers: Array.from({ length: 51 }, () => ({ addrs: [multiaddr(`/ip4/127.0.0.1/tcp/1/p2p/${victim.toString()}`).bytes] })) }))
      await refusedCount(2)
      await sendRaw(PexMessage.encode({ contentId, peers: [{ addrs: [multiaddr('/ip4/127.0.0.1/tcp/1').bytes] }] }))
      await refusedCount(3)
      await sendRaw(PexMessage.encode({ contentId, peers: [{ addrs: [Uint8Array.of(0xff, 0xee, 0xdd)] }] }))
      await refusedCount(4)
      const stats = pex(net as TestNetwork, 1).stats()
      assert.equal(stats.learned, 0)
      assert.equal(stats.received, 0)
    })

    it('one peer naming 4096 made-up content ids fills one rate entry, not the table: another peer is still heard', async function () {
      this.timeout(120_000)
      const started = Date.now()
      await floodPexContentIds(plain as Libp2p, target(), Array.from({ length: MAX_RATE_ENTRIES }, (_, i) => `made-up-${i}`))
      await waitFor(() => pex(net as TestNetwork, 1).stats().received + pex(net as TestNetwork, 1).stats().refused >= MAX_RATE_ENTRIES, { what: 'every flood message handled', timeout: 30_000 })
      const flood = pex(net as TestNetwork, 1).stats()
      const floodMs = Date.now() - started
      const honest = await plainLibp2p()
      try {
        await sendPex(honest, target(), encodePex(contentId, [{ peerId: net?.nodes[0].peerId as string, addrs: net?.nodes[0].libp2p.getMultiaddrs() ?? [] }]))
        await waitFor(() => pex(net as TestNetwork, 1).stats().received + pex(net as TestNetwork, 1).stats().refused > flood.received + flood.refused, { what: 'the honest message handled' })
      } finally {
        await honest.stop()
      }
      const after = pex(net as TestNetwork, 1).stats()
      assert.equal(after.received, flood.received + 1, `the honest peer's message was refused after a flood of ${MAX_RATE_ENTRIES} (${floodMs} ms): ${JSON.stringify({ flood, after })}`)
      assert.equal(flood.received, 1, `the flooder got ${flood.received} messages through in one interval`)
    })

    it('a second message about a swarm within the interval is refused', async () => {
      const good = encodePex(contentId, [{ peerId: net?.nodes[0].peerId as string, addrs: net?.nodes[0].libp2p.getMultiaddrs() ?? [] }])
      await sendRaw(good)
      await waitFor(() => pex(net as TestNetwork, 1).stats().received === 1, { what: 'the first message' })
      await sendRaw(good)
      await refusedCount(1)
      assert.equal(pex(net as TestNetwork, 1).stats().received, 1)
    })
  })

  describe('addresses named by peers', () => {
    // nodes that do not listen on loopback: on this machine's own LAN address
    const lan = Object.values(networkInterfaces()).flat().find(i => i !== undefined && i.family === 'IPv4' && !i.internal)?.address

    /**
     * A leecher listening on the LAN address is told through PEX, by a plain libp2p peer, that
     * a peer of its swarm is at a loopback port where a TCP trap counts connections. Resolves
     * with the dials the trap saw within `waitMs` (or as soon as one comes) and when.
     */
    async function loopbackDials (dialLocalAddresses: boolean, waitMs: number): Promise<{ dials: number, ms: number }> {
      const trap = await loopbackTrap()
      try {
        net = await startTestNodes({
          count: 2,
          connect: 'star',
          protocols: [{ module: PEX, options: { interval: 60_000 } }],
          config: { listen: [`/ip4/${lan ?? ''}/tcp/0`], dialLocalAddresses, limits: { downloadRate: 256 * 1024 } },
          dir: join(dir.path, `nodes-${String(dialLocalAddresses)}`)
        })
        const [seeder, leecher] = net.nodes
        const source = await makeFile(join(dir.path, 'src'), 'named.bin', 8 * MiB)
        const { contentId } = await seeder.add(source)
        const getting = leecher.get(contentId, { output: join(dir.path, `out-${String(dialLocalAddresses)}`, 'named.bin') }).catch(() => {})
        await waitFor(() => leecher.status().swarms.some(s => s.contentId === contentId && s.state === 'downloading'), { what: 'the download under way' })
        plain = await plainLibp2p()
        await namePeerViaPex(plain, leecher.addresses()[0], contentId, trap.address)
        await waitFor(() => pex(net as TestNetwork, 1).stats().learned === 1, { what: 'the named peer offered to the swarm' })
        const told = Date.now()
        await waitFor(() => trap.dials() > 0 || Date.now() - told > waitMs, { what: 'a dial or the wait', timeout: waitMs + 5000 })
        const ms = Date.now() - told
        await net.stop()
        await getting
        return { dials: trap.dials(), ms }
      } finally {
        trap.close()
      }
    }

    it('a loopback address named through PEX is not dialled by a node that does not listen on loopback; dialLocalAddresses dials it', async function () {
      if (lan === undefined) this.skip()
      this.timeout(120_000)
      // side by side: how soon a lab node (dialLocalAddresses) dials it, then a default node given 3x as long (at least 3 s)
      const lab = await loopbackDials(true, 15_000)
      assert.ok(lab.dials > 0, `the lab node did not dial the named loopback address within ${lab.ms} ms`)
      const waitMs = Math.max(3 * lab.ms, 3000)
      const guarded = await loopbackDials(false, waitMs)
      assert.equal(guarded.dials, 0, `a node on ${lan ?? ''} dialled 127.0.0.1 because a peer named it (lab node: ${lab.ms} ms to dial)`)
    })

    it('a peer the node is connected to keeps its stored addresses when a message names it elsewhere', async () => {
      net = await startTestNodes({ count: 2, connect: 'star', protocols: [{ module: PEX, options: { interval: 60_000 } }], config: { limits: { downloadRate: 256 * 1024 } }, dir: join(dir.path, 'nodes') })
      const [seeder, leecher] = net.nodes
      const source = await makeFile(join(dir.path, 'src'), 'kept.bin', 8 * MiB)
      const { contentId } = await seeder.add(source)
      const getting = leecher.get(contentId, { output: join(dir.path, 'out', 'kept.bin') }).catch(() => {})
      await waitFor(() => leecher.status().swarms.some(s => s.contentId === contentId && s.state === 'downloading'), { what: 'the download under way' })
      // `connected` dials the leecher and is in none of its swarms; `namer` says it is at a port of its choosing
      plain = await plainLibp2p()
      const connected = plain
      await connected.dial(multiaddr(leecher.addresses()[0]))
      const namer = await plainLibp2p()
      try {
        const bogus = multiaddr(`/ip4/127.0.0.1/tcp/1/p2p/${connected.peerId.toString()}`)
        await sendPex(namer, leecher.addresses()[0], encodePex(contentId, [{ peerId: connected.peerId.toString(), addrs: [bogus] }]))
        await waitFor(() => pex(net as TestNetwork, 1).stats().learned === 1, { what: 'the named peer offered to the swarm' })
      } finally {
        await namer.stop()
      }
      const stored = await leecher.libp2p.peerStore.get(connected.peerId).catch(() => undefined)
      const ports = stored?.addresses.map(a => Number(a.multiaddr.getComponents().find(c => c.name === 'tcp')?.value)) ?? []
      assert.ok(!ports.includes(1), `a message rewrote a connected peer's addresses: ${ports.join(', ')}`)
      await net.stop()
      await getting
    })
  })
})
