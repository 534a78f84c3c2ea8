/**
 * The netns swarm's baseline: the same bytes moved between the same hosts on the fluid bound's
 * own schedule, by plain js-libp2p nodes (TCP + Noise + Yamux with libp2p's defaults, one
 * process per host): no pieces, no hashes, no disk, no choking, no discovery.
 *
 * The seeder sends each chunk of the content once, to a leecher that has relayed what it got
 * before (credit-based: acks come back); that leecher relays it to every other leecher. The
 * seeder uploads the content once and the leechers (N-1) copies between them, which is what the
 * bound assumes (Kumar and Ross's schedule). The nodes are connected before the clock starts,
 * as a warm swarm's are; so what is left between this and the bound is what moving the bytes
 * through js-libp2p costs on these cores, and between Shoal and this, what Shoal adds.
 *
 * The bench runs this file once per host (`member INDEX LEECHERS BYTES LISTEN`); a member
 * prints its address, then takes commands on stdin, one JSON line each.
 */
import { randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { Uint8ArrayList } from 'uint8arraylist'
import { monitor, round } from './monitor.js'
import { exitWithParent, spawnNode, stopChild } from './processes.js'
import { fluidBoundSeconds } from './swarm-scaling.js'
import type { ScalingHosts } from './swarm-scaling.js'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { ChildProcess } from 'node:child_process'

export interface MeshRow {
  leechers: number
  /** From the start signal to the last leecher holding every byte. */
  seconds: number
  boundSeconds: number
  ratio: number
  /** CPU seconds all members used from the start signal to the last leecher done, and that over the time. */
  cpuSeconds: number
  coresBusy: number
}

const SELF = fileURLToPath(import.meta.url)
const FIRST_HOP = '/shoal-bench/mesh/first-hop/1.0.0'
const FORWARD = '/shoal-bench/mesh/forward/1.0.0'
/** What the seeder writes at a time (a Noise frame's worth): the last chunk's relay is the tail. */
const CHUNK_BYTES = 64 * 1024
/** What a leecher may hold from the seeder not yet relayed: with 16 leechers, ~1.7 s of the seeder's upload in flight (4 chunks: 1.30-1.37x at N = 16, 8: 1.29-1.31x). */
const CREDIT_BYTES = 8 * CHUNK_BYTES
const ACK_BYTES = 4

type Command = { addresses: string[] } | { open: true } | { go: true }
type Report = { address: string } | { connected: true } | { opened: true } | { done: number }

/** One run: a member per host (index 0 the seeder), connected, then timed from the start signal. */
export async function rawMesh (hosts: ScalingHosts, leechers: number, bytes: number, rate: number): Promise<MeshRow> {
  const members = Array.from({ length: leechers + 1 }, (_, i) => new Member(hosts, i, leechers, bytes))
  try {
    const addresses = await Promise.all(members.map(async m => await m.next('address')))
    for (const m of members) m.tell({ addresses: addresses.map(a => (a as { address: string }).address) })
    await Promise.all(members.map(async m => await m.next('connected')))
    // every leecher's forward streams open before the seeder sends a byte
    for (const m of members) m.tell({ open: true })
    await Promise.all(members.map(async m => await m.next('opened')))
    const usage = monitor(members.map(m => m.pid), 500)
    const start = Date.now()
    members[0].tell({ go: true })
    const done = await Promise.all(members.slice(1).map(async m => (await m.next('done') as { done: number }).done))
    const cpuSeconds = usage().reduce((sum, u) => sum + u.cpuSeconds, 0)
    const seconds = (Math.max(...done) - start) / 1000
    const bound = fluidBoundSeconds(bytes, leechers, rate)
    return { leechers, seconds: round(seconds), boundSeconds: round(bound), ratio: round(seconds / bound, 3), cpuSeconds: round(cpuSeconds), coresBusy: round(cpuSeconds / seconds) }
  } finally {
    await Promise.all(members.map(async m => { await m.stop() }))
  }
}

/** A member process seen from the bench: its reports in order, and a way to command it. */
class Member {
  private readonly child: ChildProcess
  private readonly reports: Report[] = []
  private waiting?: () => void
  private failure?: Error

  constructor (hosts: ScalingHosts, index: number, leechers: number, bytes: number) {
    const { listen, wrap } = hosts.node(index)
    // the host's own address, any port: a Shoal node of the run before may still hold its port
    const address = (listen?.[0] ?? '/ip4/127.0.0.1/tcp/0').replace(/\/tcp\/\d+$/, '/tcp/0')
    this.child = spawnNode([SELF, 'member', String(index), String(leechers), String(bytes), address], { wrap })
    let errors = ''
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.trim() === '') return
      this.reports.push(JSON.parse(line) as Report)
      this.waiting?.()
    })
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => { errors += text })
    this.child.once('exit', (code) => {
      this.failure ??= new Error(`raw mesh member ${index} exited ${code}: ${errors.trim()}`)
      this.waiting?.()
    })
  }

  get pid (): number {
    return this.child.pid as number
  }

  tell (command: Command): void {
    this.child.stdin?.write(`${JSON.stringify(command)}\n`)
  }

  /** The next report, which must be of `kind`. */
  async next (kind: string): Promise<Report> {
    while (this.reports.length === 0) {
      if (this.failure !== undefined) throw this.failure
      await new Promise<void>(resolve => { this.waiting = resolve })
    }
    const report = this.reports.shift() as Report
    if (!(kind in report)) throw new Error(`raw mesh: expected "${kind}", got ${JSON.stringify(report)}`)
    return report
  }

  async stop (): Promise<void> {
    this.failure ??= new Error('stopped')
    await stopChild(this.child, 2000)
  }
}

/** A stream written in order, each chunk once the stream has drained the one before. */
class Outbound {
  private readonly queue: Array<{ chunk: Uint8Array, taken: () => void }> = []
  private pumping = false

  constructor (private readonly stream: Stream) {}

  /** Resolves once the stream has taken `chunk` and wants more. */
  async push (chunk: Uint8Array): Promise<void> {
    await new Promise<void>(resolve => {
      this.queue.push({ chunk, taken: resolve })
      if (!this.pumping) void this.pump()
    })
  }

  private async pump (): Promise<void> {
    this.pumping = true
    while (this.queue.length > 0) {
      const { chunk, taken } = this.queue.shift() as { chunk: Uint8Array, taken: () => void }
      if (!this.stream.send(chunk)) await drained(this.stream)
      taken()
    }
    this.pumping = false
  }
}

/** The member's side: listen, report the address, connect, and on the signal move its bytes. */
async function member (index: number, leechers: number, bytes: number, listen: string): Promise<void> {
  const node = await createLibp2p({
    addresses: { listen: [listen] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    // the seeder takes every leecher's dial at once
    connectionManager: { maxIncomingPendingConnections: leechers + 1 },
    // its pings queue behind the bytes of a saturated link, and a late one aborts the connection
    connectionMonitor: { enabled: false }
  })
  const report = (r: Report): void => { process.stdout.write(`${JSON.stringify(r)}\n`) }
  let addresses: string[] = []
  let received = 0
  const forwards: Outbound[] = []
  const arrived = (chunk: Uint8Array): void => {
    received += chunk.byteLength
    if (received === bytes) report({ done: Date.now() })
  }
  await node.handle(FIRST_HOP, async (stream) => {
    // relays finish in order (each Outbound is a queue), so acks go back in order too
    let relaying = Promise.resolve()
    for await (const chunk of stream) {
      const bytesOf = chunk instanceof Uint8Array ? chunk : chunk.subarray()
      const relayed = Promise.all(forwards.map(async f => { await f.push(bytesOf) }))
      relaying = relaying.then(async () => { await relayed; stream.send(ack(bytesOf.byteLength)) })
      arrived(bytesOf)
    }
  }, { maxInboundStreams: leechers + 1 })
  await node.handle(FORWARD, async (stream) => {
    for await (const chunk of stream) arrived(chunk instanceof Uint8Array ? chunk : chunk.subarray())
  }, { maxInboundStreams: leechers + 1 })
  report({ address: node.getMultiaddrs()[0].toString() })

  createInterface({ input: process.stdin }).on('line', (line) => {
    const command = JSON.parse(line) as Command
    if ('addresses' in command) {
      addresses = command.addresses
      void connect(node, addresses.slice(0, index)).then(() => { report({ connected: true }) }, fail)
    } else if ('open' in command) {
      void openForwards(node, index, addresses, forwards).then(() => { report({ opened: true }) }, fail)
    } else {
      void sendChunks(node, bytes, addresses).catch(fail)
    }
  })
}

/** Dial the members before us (they dial us in turn): one connection a pair. */
async function connect (node: Libp2p, addresses: string[]): Promise<void> {
  await Promise.all(addresses.map(async a => await node.dial(multiaddr(a), { signal: forever() })))
}

/** A leecher's streams to every other leecher (the seeder has none). */
async function openForwards (node: Libp2p, index: number, addresses: string[], forwards: Outbound[]): Promise<void> {
  if (index === 0) return
  const others = addresses.slice(1).filter((_, i) => i + 1 !== index)
  forwards.push(...await Promise.all(others.map(async a => new Outbound(await openStream(node, a, FORWARD)))))
}

/**
 * The seeder: the next chunk of the content goes to any leecher with credit, which is what it
 * may have sent it and not yet relayed to every other leecher (each relayed byte is acked back).
 * The seeder's upload does not idle while some leecher keeps up, and none gets more than it
 * can relay.
 */
async function sendChunks (node: Libp2p, bytes: number, addresses: string[]): Promise<void> {
  const data = randomBytes(CHUNK_BYTES)
  let next = 0
  await Promise.all(addresses.slice(1).map(async a => {
    const stream = await openStream(node, a, FIRST_HOP)
    const credit = new Credit(stream)
    while (next < bytes) {
      await credit.atLeast(CHUNK_BYTES)
      if (next >= bytes) break
      const length = Math.min(CHUNK_BYTES, bytes - next)
      next += length
      credit.spend(length)
      if (!stream.send(data.subarray(0, length))) await drained(stream)
    }
  }))
}

/** A leecher's ack: how many more bytes it has relayed (a 4-byte big-endian count). */
function ack (bytes: number): Uint8Array {
  const out = new Uint8Array(ACK_BYTES)
  new DataView(out.buffer).setUint32(0, bytes)
  return out
}

/** Bytes the seeder may send a leecher, grown by the leecher's acks. */
class Credit {
  private available = CREDIT_BYTES
  private readonly pending = new Uint8ArrayList()
  private wake?: () => void

  constructor (stream: Stream) {
    stream.addEventListener('message', (evt) => {
      this.pending.append(evt.data)
      while (this.pending.byteLength >= ACK_BYTES) {
        this.available += this.pending.getUint32(0)
        this.pending.consume(ACK_BYTES)
      }
      this.wake?.()
    })
  }

  async atLeast (bytes: number): Promise<void> {
    while (this.available < bytes) await new Promise<void>(resolve => { this.wake = resolve })
  }

  spend (bytes: number): void {
    this.available -= bytes
  }
}

async function openStream (node: Libp2p, address: string, protocol: string): Promise<Stream> {
  return await node.dialProtocol(multiaddr(address), protocol, { signal: forever() })
}

/** A signal that never aborts: the dials and streams last the run, libp2p's default timeouts do not. */
function forever (): AbortSignal {
  return new AbortController().signal
}

async function drained (stream: Stream): Promise<void> {
  await new Promise(resolve => { stream.addEventListener('drain', resolve, { once: true }) })
}

function fail (err: Error): void {
  process.stderr.write(`raw mesh member: ${err.stack ?? err.message}\n`)
  process.exit(1)
}

if (process.argv[1] === SELF) {
  exitWithParent()
  const [role, index, leechers, bytes, listen] = process.argv.slice(2)
  if (role !== 'member') fail(new Error(`unknown role ${role}`))
  member(Number(index), Number(leechers), Number(bytes), listen).catch(fail)
}
