import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Socket } from 'node:net'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { multiaddrConnectionPair } from '@libp2p/utils'
import { createLibp2p } from 'libp2p'
import { Uint8ArrayList } from 'uint8arraylist'
import { noiseEncrypter } from '../../../src/node/noise-encrypter.js'
import { COALESCE_BELOW_BYTES } from '../../../src/node/send-coalescing.js'
import { noiseComponents, received } from './noise-helpers.js'
import type { MessageStream, StreamMessageEvent } from '@libp2p/interface'

/** Two ends of a Noise session over an in-memory pair, and a log of the sends the first hands its transport. */
async function securedPair (): Promise<{ mine: MessageStream, theirs: MessageStream, handed: number[] }> {
  const [outbound, inbound] = multiaddrConnectionPair()
  const [a, b] = await Promise.all([noiseComponents(), noiseComponents()])
  const [mine, theirs] = await Promise.all([
    noiseEncrypter()(a).secureOutbound(outbound, { remotePeer: b.peerId, skipStreamMuxerNegotiation: true }),
    noiseEncrypter()(b).secureInbound(inbound, { skipStreamMuxerNegotiation: true })
  ])
  const handed: number[] = []
  const send = outbound.send.bind(outbound)
  outbound.send = (data) => { handed.push(data.byteLength); return send(data) }
  return { mine: mine.connection, theirs: theirs.connection, handed }
}

async function libp2pNode (): Promise<Awaited<ReturnType<typeof createLibp2p>>> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp()],
    connectionEncrypters: [noiseEncrypter()],
    streamMuxers: [yamux()]
  })
}

describe('node/send-coalescing', () => {
  it('seals the small sends of one task as one Noise frame once the task is done, in order', async () => {
    const { mine, theirs, handed } = await securedPair()
    const parts = Array.from({ length: 10 }, (_, i) => randomBytes(20 + i))
    const total = parts.reduce((sum, p) => sum + p.byteLength, 0)
    const arrived = received(theirs, total)
    for (const part of parts) assert.equal(mine.send(part), true)
    assert.deepEqual(handed, [], 'sent before the task ended')
    await Promise.resolve()
    // one frame: its 2-byte length, the sends and the 16-byte tag
    assert.deepEqual(handed, [2 + total + 16])
    assert.deepEqual(Buffer.from(await arrived), Buffer.concat(parts))
  })

  it('sends a large send at once, behind the small ones still waiting', async () => {
    const { mine, theirs, handed } = await securedPair()
    const small = [randomBytes(30), randomBytes(5)]
    const large = randomBytes(COALESCE_BELOW_BYTES + 100)
    const arrived = received(theirs, 35 + large.byteLength + 7)
    mine.send(small[0])
    mine.send(small[1])
    mine.send(large)
    assert.equal(handed.length, 1, 'the large send waited')
    const tail = randomBytes(7)
    mine.send(tail)
    await Promise.resolve()
    assert.equal(handed.length, 2)
    assert.deepEqual(Buffer.from(await arrived), Buffer.concat([...small, large, tail]))
  })

  it('throws for a send to a closed connection, and drops a waiting send quietly when it closes first', async () => {
    const { mine } = await securedPair()
    // waiting when the connection is aborted: its flush finds it closed, and nothing is thrown
    mine.send(randomBytes(10))
    mine.abort(new Error('gone'))
    await new Promise(resolve => setImmediate(resolve))
    assert.throws(() => mine.send(randomBytes(10)), /closed/)
  })

  it('writes a sealed frame to the socket in one write, never its length or tag alone', async function () {
    this.timeout(20_000)
    const [one, two] = await Promise.all([libp2pNode(), libp2pNode()])
    const writes: number[] = []
    const write = Socket.prototype._write
    const writev = Socket.prototype._writev
    try {
      await two.handle('/test/sink/1', (stream) => {
        stream.addEventListener('remoteCloseWrite', () => { void stream.close() })
      })
      const stream = await one.dialProtocol(two.getMultiaddrs()[0], '/test/sink/1')
      Socket.prototype._write = function (this: Socket, chunk: Uint8Array, ...rest: unknown[]) {
        writes.push(chunk.byteLength)
        return (write as (...args: unknown[]) => void).call(this, chunk, ...rest)
      }
      Socket.prototype._writev = function (this: Socket, chunks: Array<{ chunk: Uint8Array }>, ...rest: unknown[]) {
        writes.push(chunks.reduce((sum, c) => sum + c.chunk.byteLength, 0))
        return (writev as (...args: unknown[]) => void).call(this, chunks, ...rest)
      }
      const data = randomBytes(1024 * 1024)
      for (let at = 0; at < data.byteLength; at += 100_000) {
        if (!stream.send(data.subarray(at, at + 100_000))) await new Promise(resolve => stream.addEventListener('drain', resolve, { once: true }))
      }
      await stream.close()
      assert.ok(writes.length > 0)
      // a frame's prefix is 2 bytes and its tag 16: alone, each was a packet of its own
      assert.deepEqual(writes.filter(n => n <= 18), [])
    } finally {
      Socket.prototype._write = write
      Socket.prototype._writev = writev
      await Promise.all([one.stop(), two.stop()])
    }
  })

  it('delivers the last small sends of a stream whose connection is closed right after', async function () {
    this.timeout(20_000)
    const [one, two] = await Promise.all([libp2pNode(), libp2pNode()])
    try {
      const message = randomBytes(50)
      const got = new Promise<{ bytes: Uint8Array, ended: boolean }>(resolve => {
        void two.handle('/test/last/1', (stream) => {
          const list = new Uint8ArrayList()
          stream.addEventListener('message', (evt: StreamMessageEvent) => { list.append(evt.data) })
          stream.addEventListener('remoteCloseWrite', () => { resolve({ bytes: list.subarray(), ended: true }) })
        })
      })
      const connection = await one.dial(two.getMultiaddrs()[0])
      const stream = await connection.newStream('/test/last/1')
      stream.send(message)
      await stream.close()
      await connection.close()
      const { bytes, ended } = await got
      assert.equal(ended, true)
      assert.deepEqual(Buffer.from(bytes), message)
    } finally {
      await Promise.all([one.stop(), two.stop()])
    }
  })
})
