/**
 * A wrong piece-exchange handshake, answered or sent, costs a node nothing: every connect
 * settles within `timeouts.handshake`, the breach is banned like any other, and the node
 * goes on dialling others, so 50 identities answering with bad bitfields do not slow a
 * download from the one honest seeder.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { peerIdFromString } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { parseContentId } from '../../src/core/content-id.js'
import { BAD_BITFIELDS, HostilePeer, badHandshake, dialWithBadHandshake, manifestNotFound } from '../kit/hostile/index.js'
import { MiB, fetchAndVerify, makeFile, swarmStatus, useTestContext, waitFor, waitForConnections } from './helpers/context.js'
import { PieceExchangeClass } from '../../protocols/piece-exchange/piece-exchange.js'
import type { PieceExchange, PieceExchangeComponents } from '../../protocols/piece-exchange/index.js'
import type { ConfigInput, ShoalNode, SwarmEndpoint } from '../../src/index.js'
import type { Libp2p } from '@libp2p/interface'
import type { BadHandshakeKind, HostilePeerInit } from '../kit/hostile/index.js'

/** Only the peers each test connects: no DHT walks to add noise to the timings. */
const NO_DHT = { dht: { enabled: false } }

describe('integration: wrong piece-exchange handshakes', function () {
  const ctx = useTestContext('handshake')

  async function startHostile (init: HostilePeerInit): Promise<HostilePeer> {
    const peer = await HostilePeer.start(init)
    ctx.defer(async () => { await peer.stop() })
    return peer
  }

  async function dialAll (node: ShoalNode, peers: Array<{ libp2p: HostilePeer['libp2p'] }>): Promise<void> {
    await Promise.all(peers.map(async p => { await node.libp2p.dial(p.libp2p.getMultiaddrs()[0]) }))
  }

  /** A seeder of `size` random bytes (a piece count that is no multiple of 8, for spare bits). */
  async function seederOf (size: number, limits: ConfigInput['limits'] = {}): Promise<{ seeder: ShoalNode, source: string, contentId: string, size: number, pieceSize: number, pieceCount: number }> {
    const source = await makeFile(join(ctx.dir, 'src'), 'shared.bin', size)
    const seeder = await ctx.nodes.start('seeder', { ...NO_DHT, limits })
    const added = await seeder.add(source)
    const { pieceSize, pieceCount } = swarmStatus(seeder, added.contentId)
    assert.notEqual(pieceCount % 8, 0)
    return { seeder, source, contentId: added.contentId, size: added.size, pieceSize, pieceCount }
  }

  it('50 identities answering with bad bitfields are banned and do not slow the download from one honest seeder (side by side with a clean run)', async function () {
    this.timeout(180_000)
    // two swarms that know nothing of each other, run at the same moment so that both meet
    // the same machine; each seeder's upload cap, not the shared CPU, sets a run's time
    const uploadRate = 16 * MiB
    const { seeder, source, contentId, size, pieceSize } = await seederOf(64 * MiB + 100 * 1024, { uploadRate })
    const cleanSeeder = await ctx.nodes.start('clean-seeder', { ...NO_DHT, limits: { uploadRate } })
    assert.equal((await cleanSeeder.add(source)).contentId, contentId)
    const hostiles = await Promise.all(Array.from({ length: 50 }, async (_, i) => await startHostile({
      pieces: { shape: { size, pieceSize }, behaviour: badHandshake(BAD_BITFIELDS[i % BAD_BITFIELDS.length]) },
      manifest: manifestNotFound()
    })))
    const clean = await ctx.nodes.start('clean', NO_DHT)
    await dialAll(clean, [cleanSeeder])
    // the hostile identities are connected first, so they are found and offered first
    const leecher = await ctx.nodes.start('leecher', NO_DHT)
    await dialAll(leecher, hostiles)
    await dialAll(leecher, [seeder])
    await waitForConnections(leecher, [...hostiles.map(h => h.peerId), seeder.peerId])

    const [cleanRun, run] = await Promise.all([
      timedGet(clean, contentId, join(ctx.dir, 'clean', 'shared.bin'), source),
      within(timedGet(leecher, contentId, join(ctx.dir, 'attacked', 'shared.bin'), source), 60_000, 'the download among 50 bad handshakers')
    ])
    assert.ok(!clean.libp2p.getPeers().some(p => p.toString() === leecher.peerId), 'the two swarms met: the clean run is not clean')
    const ratio = run.ms / cleanRun.ms
    process.stderr.write(`      (clean: ${cleanRun.ms} ms in all, ${cleanRun.swarmMs} ms from the manifest on; with 50 bad handshakers: ${run.ms} ms, ${run.swarmMs} ms: ${ratio.toFixed(2)}x)\n`)
    const tried = hostiles.filter(h => h.stats.handshakes > 0)
    assert.equal(tried.length, hostiles.length, `only ${tried.length} of the 50 were dialled: the test proves nothing`)
    const bans = new Map(leecher.status().bans.map(b => [b.peerId, b.reason]))
    for (const h of hostiles) assert.match(bans.get(h.peerId) ?? 'not banned', /bitfield/, `${h.peerId}`)
    assert.ok(!bans.has(seeder.peerId), 'the honest seeder was banned')
    assert.ok(ratio <= 1.5, `the download took ${run.ms} ms against ${cleanRun.ms} ms clean (${ratio.toFixed(2)}x)`)
  })

  it('connect() settles for every wrong answer: at once for a breach (reported), within the handshake timeout for silence (not reported)', async function () {
    this.timeout(60_000)
    const { contentId, size, pieceSize, pieceCount } = await seederOf(4 * MiB + 100 * 1024)
    const handshakeTimeout = 3000
    const violations: string[] = []
    const node = await exchangeNode(handshakeTimeout, (peer) => { violations.push(peer) })
    ctx.defer(async () => { await node.libp2p.stop() })
    const endpoint = emptyEndpoint(contentId, pieceCount, () => assert.fail('a wrong handshake was attached'))
    for (const kind of BAD_ANSWERS) {
      const hostile = await startHostile({ pieces: { shape: { size, pieceSize }, behaviour: badHandshake(kind) } })
      await node.libp2p.dial(hostile.libp2p.getMultiaddrs()[0])
      const started = Date.now()
      const err = await within(node.exchange.connect(peerIdFromString(hostile.peerId), endpoint).then(() => undefined, (e: Error) => e), handshakeTimeout + 5000, `connect to a ${kind} peer`)
      const ms = Date.now() - started
      assert.equal(hostile.stats.handshakes, 1, kind)
      if (kind === 'silent') {
        assert.equal(err?.name, 'TimeoutError', `${kind}: ${err?.name}: ${err?.message}`)
        assert.ok(ms >= handshakeTimeout - 100 && ms < handshakeTimeout + 2000, `${kind}: settled after ${ms} ms`)
        assert.ok(!violations.includes(hostile.peerId), 'a silent peer is slow, not hostile')
      } else {
        assert.equal(err?.name, 'ProtocolViolationError', `${kind}: ${err?.name}: ${err?.message}`)
        assert.ok(ms < 2000, `${kind}: settled after ${ms} ms`)
        assert.ok(violations.includes(hostile.peerId), `${kind}: the breach was not reported`)
      }
    }
  })

  it('the finder tries one wrong answerer after another in a single slot: each breach is banned, silence costs timeouts.handshake, then the seeder serves', async function () {
    this.timeout(60_000)
    const { seeder, source, contentId, size, pieceSize } = await seederOf(4 * MiB + 100 * 1024)
    const handshakeTimeout = 3000
    const hostiles = new Map<BadHandshakeKind, HostilePeer>()
    for (const kind of BAD_ANSWERS) hostiles.set(kind, await startHostile({ pieces: { shape: { size, pieceSize }, behaviour: badHandshake(kind) }, manifest: manifestNotFound() }))
    const leecher = await ctx.nodes.start('leecher', { ...NO_DHT, limits: { maxPeersPerSwarm: 1 }, timeouts: { handshake: handshakeTimeout } })
    await dialAll(leecher, [...hostiles.values()])
    await dialAll(leecher, [seeder])
    const run = await within(fetchAndVerify(leecher, contentId, join(ctx.dir, 'out', 'shared.bin'), source), 30_000, 'the download')
    process.stderr.write(`      (with one slot and ${hostiles.size} wrong answerers ahead of the seeder: ${run.ms} ms)\n`)
    const bans = new Map(leecher.status().bans.map(b => [b.peerId, b.reason]))
    for (const [kind, hostile] of hostiles) {
      assert.equal(hostile.stats.handshakes, 1, `${kind} was not tried`)
      if (kind === 'silent') assert.ok(!bans.has(hostile.peerId), 'a silent peer is slow, not hostile')
      else assert.ok(bans.has(hostile.peerId), `${kind} was not banned`)
    }
    assert.ok(!bans.has(seeder.peerId), 'the honest seeder was banned')
  })

  it('a wrong handshake from a peer that dials us is a breach, banned like one answered to us', async function () {
    this.timeout(60_000)
    const { seeder, contentId, pieceCount } = await seederOf(4 * MiB + 100 * 1024)
    const content = { contentId: parseContentId(contentId).bytes, pieceCount }
    for (const kind of [...BAD_BITFIELDS, 'piece-count'] as Array<Exclude<BadHandshakeKind, 'silent'>>) {
      const hostile = await startHostile({})
      const ended = await dialWithBadHandshake(hostile, seeder.addresses()[0], content, kind)
      assert.ok(ended !== undefined, `${kind}: the seeder closed the stream as if nothing were wrong`)
      await waitFor(() => seeder.status().bans.some(b => b.peerId === hostile.peerId), `${kind}: the seeder bans the peer`, 3000)
    }
  })
})

/** Every wrong answer the kit knows, silence last. */
const BAD_ANSWERS: readonly BadHandshakeKind[] = [...BAD_BITFIELDS, 'piece-count', 'content-id', 'silent']

/** A plain libp2p node running only the piece-exchange service, its violations reported to `onViolation`. */
async function exchangeNode (handshakeTimeout: number, onViolation: (peer: string, reason: string) => void): Promise<{ libp2p: Libp2p, exchange: PieceExchange }> {
  const libp2p = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      exchange: (components: Omit<PieceExchangeComponents, 'trading'>): PieceExchange => new PieceExchangeClass({
        registrar: components.registrar,
        connectionManager: components.connectionManager,
        logger: components.logger,
        trading: { endpoint: () => undefined }
      }, { handshakeTimeout, onViolation })
    }
  })
  return { libp2p, exchange: libp2p.services.exchange }
}

/** An endpoint for content we have none of; `attach` is never to be reached in these tests. */
function emptyEndpoint (contentId: string, pieceCount: number, attach: () => never): SwarmEndpoint {
  return { contentId, pieceCount, pieceLength: () => 0, bitfield: () => new Uint8Array(Math.ceil(pieceCount / 8)), attach }
}

/**
 * A checked get, timed in all and from the manifest on (the piece exchanges start there;
 * before, the manifest is asked of the connected peers one by one).
 */
async function timedGet (node: ShoalNode, contentId: string, output: string, source: string): Promise<{ ms: number, swarmMs: number }> {
  let manifestAt = 0
  const started = Date.now()
  await fetchAndVerify(node, contentId, output, source, { onProgress: (e) => { if (e.type === 'shoal:get:manifest') manifestAt = Date.now() } })
  const ended = Date.now()
  return { ms: ended - started, swarmMs: ended - manifestAt }
}

/** `promise`, or a failure naming `what` after `ms`. */
async function within<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => { timer = setTimeout(() => { reject(new Error(`${what} did not finish within ${ms} ms`)) }, ms) })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}
