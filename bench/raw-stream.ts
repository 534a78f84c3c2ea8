/**
 * Baselines: one stream between two processes, carrying `bytes` bytes, over
 * - 'libp2p': TCP + Noise + Yamux with libp2p's defaults (the stack Shoal runs on), or
 * - 'tcp': a plain node:net socket.
 *
 * The bench runs this file as the receiver (`receive <transport> <bytes>`); the receiver
 * listens, starts the sender (`send <transport> <address> <bytes>`) as its own child, counts
 * bytes from first to last and prints one JSON line with the result.
 */
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer, connect } from 'node:net'
import { fileURLToPath } from 'node:url'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { round } from './monitor.js'
import { exited, exitWithParent, runNode, spawnNode } from './processes.js'
import type { AddressInfo } from 'node:net'

export type Transport = 'libp2p' | 'tcp'

export interface StreamResult {
  transport: Transport
  bytes: number
  seconds: number
  mibps: number
  receiverCpuSeconds: number
  senderCpuSeconds: number
}

const SELF = fileURLToPath(import.meta.url)
const PROTOCOL = '/shoal-bench/raw/1.0.0'
const MiB = 1024 * 1024

/** Run one baseline in two fresh processes and return what the receiver measured. */
export async function rawStream (transport: Transport, bytes: number): Promise<StreamResult> {
  const out = await runNode([SELF, 'receive', transport, String(bytes)])
  return JSON.parse(out.trim().split('\n').at(-1) as string) as StreamResult
}

/** The sending end, whatever the transport. */
interface Sink {
  /** false: the buffer is full, wait for drained() before sending more. */
  send(chunk: Uint8Array): boolean
  drained(): Promise<void>
  end(): Promise<void>
}

/** The receiving end: where to dial, and the first stream that arrives. */
interface Source {
  address: string
  incoming: Promise<Incoming>
  close(): Promise<void>
}

interface Incoming {
  chunks: AsyncIterable<{ byteLength: number }>
  /** Tell the sender everything has arrived. */
  close(): Promise<void>
}

const libp2pOptions = (listen: string[]): Parameters<typeof createLibp2p>[0] => ({
  addresses: { listen },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()]
})

async function libp2pSource (): Promise<Source> {
  const node = await createLibp2p(libp2pOptions(['/ip4/127.0.0.1/tcp/0']))
  let resolveIncoming!: (incoming: Incoming) => void
  const incoming = new Promise<Incoming>(resolve => { resolveIncoming = resolve })
  await node.handle(PROTOCOL, (stream) => { resolveIncoming({ chunks: stream, close: async () => { await stream.close() } }) })
  return { address: node.getMultiaddrs()[0].toString(), incoming, close: async () => { await node.stop() } }
}

async function libp2pSink (address: string): Promise<Sink> {
  const node = await createLibp2p(libp2pOptions([]))
  const stream = await node.dialProtocol(multiaddr(address), PROTOCOL)
  return {
    send: (chunk) => stream.send(chunk),
    // the 'drain' event, not onDrain(): onDrain() gave no backpressure after its first use
    drained: async () => { await new Promise(resolve => { stream.addEventListener('drain', resolve, { once: true }) }) },
    end: async () => {
      // close() only hands the bytes to the connection, and stopping the node then may drop
      // some: wait for the receiver to close its end, which it does once it has them all
      const closed = new Promise(resolve => { stream.addEventListener('close', resolve, { once: true }) })
      await stream.close()
      await closed
      await node.stop()
    }
  }
}

async function tcpSource (): Promise<Source> {
  const server = createServer()
  const incoming = new Promise<Incoming>(resolve => server.once('connection', socket => { resolve({ chunks: socket, close: async () => {} }) }))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return { address: `127.0.0.1:${port}`, incoming, close: async () => { await new Promise(resolve => server.close(resolve)) } }
}

async function tcpSink (address: string): Promise<Sink> {
  const [host, port] = address.split(':')
  const socket = connect(Number(port), host)
  await once(socket, 'connect')
  return {
    send: (chunk) => socket.write(chunk),
    drained: async () => { await once(socket, 'drain') },
    end: async () => { await new Promise<void>(resolve => socket.end(resolve)) }
  }
}

async function receive (transport: Transport, bytes: number): Promise<void> {
  const source = transport === 'libp2p' ? await libp2pSource() : await tcpSource()
  const sender = spawnNode([SELF, 'send', transport, source.address, String(bytes)])
  let senderOut = ''
  sender.stdout?.setEncoding('utf8').on('data', (chunk: string) => { senderOut += chunk })
  sender.stderr?.pipe(process.stderr)
  const senderFailed = exited(sender).then(async code => await Promise.reject(new Error(`sender exited ${code} before connecting`)))
  senderFailed.catch(() => {})
  const stream = await Promise.race([source.incoming, senderFailed])
  let received = 0
  let first = 0
  let cpu = process.cpuUsage()
  for await (const chunk of stream.chunks) {
    if (received === 0) {
      first = performance.now()
      cpu = process.cpuUsage()
    }
    received += chunk.byteLength
  }
  const seconds = (performance.now() - first) / 1000
  const receiverCpu = process.cpuUsage(cpu)
  await stream.close()
  if (await exited(sender) !== 0) throw new Error('sender failed')
  if (received !== bytes) throw new Error(`received ${received} bytes, expected ${bytes}`)
  await source.close()
  const result: StreamResult = {
    transport,
    bytes,
    seconds: round(seconds, 3),
    mibps: round(bytes / MiB / seconds),
    receiverCpuSeconds: round((receiverCpu.user + receiverCpu.system) / 1e6),
    senderCpuSeconds: round(Number(senderOut.trim()))
  }
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

async function send (transport: Transport, address: string, bytes: number): Promise<void> {
  const sink = transport === 'libp2p' ? await libp2pSink(address) : await tcpSink(address)
  const buffer = randomBytes(MiB)
  const cpu = process.cpuUsage()
  for (let sent = 0; sent < bytes;) {
    const chunk = buffer.subarray(0, Math.min(MiB, bytes - sent))
    sent += chunk.byteLength
    if (!sink.send(chunk)) await sink.drained()
  }
  await sink.end()
  const used = process.cpuUsage(cpu)
  process.stdout.write(`${(used.user + used.system) / 1e6}\n`)
}

if (process.argv[1] === SELF) {
  exitWithParent()
  const [role, transport, ...rest] = process.argv.slice(2)
  const run = role === 'receive' ? receive(transport as Transport, Number(rest[0])) : send(transport as Transport, rest[0], Number(rest[1]))
  run.then(() => process.exit(0), (err: Error) => {
    process.stderr.write(`raw-stream ${role}: ${err.stack ?? err.message}\n`)
    process.exit(1)
  })
}
