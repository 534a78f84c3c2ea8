/**
 * `npm run bench:dashboard`: what the dashboard costs the node. Ten swarms of 50 peers each
 * (real Swarm objects: half downloading, half seeding; every peer an idle wire with its own
 * bitfield, our requests to it left out), the real status projection, piece maps and event
 * hub (DashboardRoutes), and event clients that take every byte. Every snapshot differs
 * (the meters move between ticks): the worst case, since an unchanged snapshot sends nothing.
 * CPU is the time spent in the hub's ticks (projection, piece maps, JSON, writes), all of it
 * synchronous work on the node's thread; the kernel's socket writes are not in it.
 *
 *   DASHBOARD_SECONDS  seconds per phase (default 10)
 *   DASHBOARD_PIECES   pieces per swarm (default 1024)
 *
 * Readable lines go to stderr; the last line of stdout is one JSON object with the figures.
 */
import { EventEmitter } from 'node:events'
import { DashboardRoutes } from '../src/api/dashboard/routes.js'
import { Bitfield } from '../src/core/bitfield.js'
import { SwarmOpener } from '../src/swarm/opener.js'
import { swarmStatus } from '../src/swarm/status.js'
import { makeContent } from '../test/unit/fixtures.js'
import { downloadHere, known, limits, logger, parts, seedHere, timeouts } from '../test/unit/swarm/fakes.js'
import type { Parts } from '../test/unit/swarm/fakes.js'
import type { PieceWire } from '../src/core/wire.js'
import type { ServerResponse } from 'node:http'

const SWARMS = 10
const PEERS = 50
const SECONDS = Number(process.env.DASHBOARD_SECONDS ?? 10)
const PIECES = Number(process.env.DASHBOARD_PIECES ?? 1024)
const PIECE_SIZE = 16 * 1024

/** A peer that announced its pieces and then says nothing: its requests stay in flight. */
class IdleWire {
  readonly outbound = true
  readonly stats = { uploaded: 0, downloaded: 0 }
  constructor (readonly remotePeer: string) {}
  sendRequest (): void {}
  sendHave (): void {}
  sendCancel (): void {}
  sendReject (): void {}
  sendChoke (): void {}
  sendUnchoke (): void {}
  async sendPiece (): Promise<boolean> { return true }
  close (): void {}
}

/** An event client that counts what it is sent. */
class CountingResponse extends EventEmitter {
  bytes = 0
  writableLength = 0
  writeHead (): this { return this }
  write (chunk: string): boolean { this.bytes += Buffer.byteLength(chunk); return true }
  end (): void {}
}

function randomBits (count: number, share: number): Uint8Array {
  const field = new Bitfield(count)
  for (let i = 0; i < count; i++) if (Math.random() < share) field.set(i)
  return field.toBytes()
}

async function buildSwarms (): Promise<Parts['registry']> {
  const base = parts()
  const lifetime = new AbortController()
  const opener = new SwarmOpener({ ...base, limits: { ...limits, maxPeersPerSwarm: PEERS + 10 }, timeouts: { ...timeouts, request: 3_600_000 }, logger, lifetime: lifetime.signal, onChangedOnDisk: () => {} })
  const p = { ...base, opener } as unknown as Parts
  for (let s = 0; s < SWARMS; s++) {
    const content = known(makeContent([{ path: `content-${s}.bin`, size: PIECES * PIECE_SIZE }], { pieceSize: PIECE_SIZE }))
    const open = s % 2 === 0 ? downloadHere(p, `/dl/${s}`, content) : await seedHere(p, `/seed/${s}`, content)
    const endpoint = base.registry.endpoint(content.cid.toString())
    if (endpoint === undefined) throw new Error('no endpoint')
    for (let i = 0; i < PEERS; i++) {
      const handler = endpoint.attach(new IdleWire(`peer-${s}-${i}`) as unknown as PieceWire, randomBits(PIECES, 0.2 + 0.6 * Math.random()))
      if (typeof handler === 'string') throw new Error(`peer refused: ${handler}`)
      handler.onUnchoke()
    }
    // part of a download in: have, in flight and missing pieces all show
    if (s % 2 === 0) for (let i = 0; i < PIECES / 3; i++) open.swarm.have.set(i)
  }
  return base.registry
}

async function main (): Promise<void> {
  const registry = await buildSwarms()
  const node = {
    status: (options: { peers?: boolean }) => ({
      peerId: '12D3KooWBenchBenchBenchBenchBenchBenchBenchBenchBench',
      addresses: ['/ip4/192.0.2.1/tcp/4001/p2p/12D3KooWBenchBenchBenchBenchBenchBenchBenchBenchBench'],
      connections: SWARMS * PEERS,
      dhtRoutingTableSize: 40,
      swarms: registry.list().map(({ swarm }) => {
        const status = swarmStatus(swarm, options)
        // what the node adds from libp2p's connections
        for (const peer of status.peerDetails ?? []) Object.assign(peer, { direction: 'outbound', remoteAddress: '/ip4/192.0.2.77/tcp/40123' })
        return status
      }),
      bans: [],
      protocols: [{ module: 'shoal:piece-exchange', protocolIds: ['/shoal/piece-exchange/2.0.0'] }, { module: 'shoal:manifest-exchange', protocolIds: ['/shoal/manifest-exchange/1.0.0'] }]
    }),
    pieceMap: (cid: string) => registry.swarm(cid)?.pieceMap()
  }
  const routes = new DashboardRoutes({ node, origin: () => 'http://127.0.0.1:5001' })
  const swarms = registry.list().map(e => e.swarm)
  // the meters move between ticks, so that every snapshot differs
  const churn = setInterval(() => {
    for (const s of swarms) {
      s.downloadMeter.add(Math.floor(Math.random() * 1e6))
      for (const peer of s.peers.values()) peer.downloadMeter.add(Math.floor(Math.random() * 1e5))
    }
  }, 250)
  // the time spent in the hub's ticks (projection, piece maps, JSON, writes): synchronous
  // work on the node's thread, so its wall time is the CPU it takes from the node
  const hub = routes.events as unknown as { send: (clients: unknown[]) => void }
  const send = hub.send.bind(hub)
  let tickMs = 0
  hub.send = (clients) => {
    const start = performance.now()
    send(clients)
    tickMs += performance.now() - start
  }

  const phase = async (clients: number): Promise<{ tickMsPerSecond: number, bytesPerSecondPerClient: number }> => {
    tickMs = 0
    const responses = Array.from({ length: clients }, () => new CountingResponse())
    // each client watches a swarm (its peers and piece map come too): the page's usual view
    responses.forEach((res, i) => { routes.events.open(res as unknown as ServerResponse, { swarm: swarms[i % swarms.length].contentId }) })
    const start = performance.now()
    await new Promise(resolve => setTimeout(resolve, SECONDS * 1000))
    const seconds = (performance.now() - start) / 1000
    for (const res of responses) res.emit('close')
    const bytes = responses.reduce((sum, r) => sum + r.bytes, 0)
    return { tickMsPerSecond: tickMs / seconds, bytesPerSecondPerClient: clients === 0 ? 0 : bytes / clients / seconds }
  }

  const idle = await phase(0)
  const one = await phase(1)
  const eight = await phase(8)
  clearInterval(churn)
  const sample = node.status({})
  const statusBytes = Buffer.byteLength(JSON.stringify(sample))
  const detailBytes = Buffer.byteLength(JSON.stringify({ peers: node.status({ peers: true }).swarms[0].peerDetails, pieces: Buffer.from(node.pieceMap(swarms[0].contentId) ?? []).toString('base64') }))
  const round = (n: number): number => Math.round(n * 10) / 10
  const result = {
    swarms: SWARMS,
    peersPerSwarm: PEERS,
    piecesPerSwarm: PIECES,
    seconds: SECONDS,
    idleCpuMsPerSecond: round(idle.tickMsPerSecond),
    oneClient: { cpuMsPerSecond: round(one.tickMsPerSecond), bytesPerSecond: Math.round(one.bytesPerSecondPerClient) },
    eightClients: { cpuMsPerSecond: round(eight.tickMsPerSecond), bytesPerSecondPerClient: Math.round(eight.bytesPerSecondPerClient) },
    statusBytes,
    swarmDetailBytes: detailBytes
  }
  process.stderr.write(`dashboard cost, ${SWARMS} swarms x ${PEERS} peers, ${PIECES} pieces each, every snapshot different:\n`)
  process.stderr.write(`  no client: ${result.idleCpuMsPerSecond} ms/s in ticks (no timer runs)\n`)
  process.stderr.write(`  1 client:  ${result.oneClient.cpuMsPerSecond} ms/s of CPU in ticks, ${(result.oneClient.bytesPerSecond / 1024).toFixed(1)} KiB/s sent\n`)
  process.stderr.write(`  8 clients: ${result.eightClients.cpuMsPerSecond} ms/s of CPU in ticks, ${(result.eightClients.bytesPerSecondPerClient / 1024).toFixed(1)} KiB/s sent to each\n`)
  process.stderr.write(`  a status snapshot ${statusBytes} B, a watched swarm's peers and piece map ${detailBytes} B\n`)
  process.stdout.write(`${JSON.stringify(result)}\n`)
  await registry.close()
}

await main()
