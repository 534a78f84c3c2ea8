import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { multiaddrConnectionPair } from '@libp2p/utils'
import { createLibp2p } from 'libp2p'
import { Uint8ArrayList } from 'uint8arraylist'
import { frameLength, joinSmallParts, noiseEncrypter } from '../../../src/node/noise-encrypter.js'
import { noiseComponents, received } from './noise-helpers.js'
import type { MessageStream, StreamMessageEvent } from '@libp2p/interface'

describe('node/noise-encrypter', () => {
  it('reads a Noise frame\'s length without throwing while its two bytes have not all arrived', () => {
    assert.equal(frameLength(new Uint8Array(0)), 0)
    assert.equal(frameLength(Uint8Array.of(0xff)), 0)
    assert.equal(frameLength(Uint8Array.of(0x12, 0x34, 9)), 0x1234)
    assert.equal(frameLength(new Uint8ArrayList(Uint8Array.of(0xff), Uint8Array.of(0xee, 1))), 0xffee)
    assert.equal(frameLength(new Uint8ArrayList(Uint8Array.of(0xff))), 0)
  })

  it('joins runs of a sealed frame\'s small parts into one buffer and leaves large ones as they are', () => {
    const prefix = Uint8Array.of(0, 30)
    const have = randomBytes(30)
    const tag = randomBytes(16)
    const large = randomBytes(65_000)
    const joinedHave = joinSmallParts(new Uint8ArrayList(prefix, have))
    assert.equal([...joinedHave].length, 1)
    assert.deepEqual(Buffer.from(joinedHave.subarray()), Buffer.concat([prefix, have]))

    // a data frame's tag and the next frame's prefix go together; ciphertexts are not copied
    const sealed = new Uint8ArrayList(prefix, large, tag, prefix, large, tag)
    const parts = [...joinSmallParts(sealed)]
    assert.deepEqual(parts.map(p => p.byteLength), [2, 65_000, 18, 65_000, 16])
    assert.equal(parts[1], large)
    assert.deepEqual(Buffer.from(new Uint8ArrayList(...parts).subarray()), Buffer.from(sealed.subarray()))

    // nothing to join: the list itself
    const single = new Uint8ArrayList(large, tag)
    assert.equal(joinSmallParts(single), single)
  })

  it('secures a connection whose frames are read by frameLength, and carries bytes split anywhere', async () => {
    const [outbound, inbound] = multiaddrConnectionPair()
    const [a, b] = await Promise.all([noiseComponents(), noiseComponents()])
    const [dialer, listener] = [noiseEncrypter()(a), noiseEncrypter()(b)]
    const [mine, theirs] = await Promise.all([
      dialer.secureOutbound(outbound, { remotePeer: b.peerId, skipStreamMuxerNegotiation: true }),
      listener.secureInbound(inbound, { skipStreamMuxerNegotiation: true })
    ])
    for (const side of [mine, theirs]) {
      assert.equal((side.connection as unknown as { decoder: { lengthDecoder: unknown } }).decoder.lengthDecoder, frameLength)
    }
    // what the secured side hands the transport: a small frame as one buffer (one socket write)
    const handed: number[] = []
    const send = outbound.send.bind(outbound)
    outbound.send = (data) => { handed.push(data instanceof Uint8Array ? 1 : [...data].length); return send(data) }
    const small = received(theirs.connection, 40)
    mine.connection.send(randomBytes(40))
    await small
    assert.deepEqual(handed, [1])
    const data = randomBytes(300_000)
    const arrived = received(theirs.connection, data.byteLength)
    // small and large writes: frames of a few bytes and of Noise's maximum
    for (let at = 0; at < data.byteLength;) {
      const size = at < 1000 ? 1 + (at % 7) : 70_000
      mine.connection.send(data.subarray(at, at + size))
      at += size
    }
    assert.deepEqual(Buffer.from(await arrived), data)
  })

  it('opens a large frame that came in parts where it lies, without joining it into one buffer first', async () => {
    const [outbound, inbound] = multiaddrConnectionPair()
    const [a, b] = await Promise.all([noiseComponents(), noiseComponents()])
    const [mine, theirs] = await Promise.all([
      noiseEncrypter()(a).secureOutbound(outbound, { remotePeer: b.peerId, skipStreamMuxerNegotiation: true }),
      noiseEncrypter()(b).secureInbound(inbound, { skipStreamMuxerNegotiation: true })
    ])
    // the wire delivers 1000 bytes at a time: every data frame arrives in parts
    const send = outbound.send.bind(outbound)
    outbound.send = (data) => {
      let more = true
      for (const buf of data instanceof Uint8Array ? [data] : data) {
        for (let at = 0; at < buf.byteLength; at += 1000) more = send(buf.subarray(at, at + 1000))
      }
      return more
    }
    const joined: number[] = []
    const subarray = Uint8ArrayList.prototype.subarray
    Uint8ArrayList.prototype.subarray = function (this: Uint8ArrayList, ...args: Parameters<typeof subarray>) {
      const out = subarray.apply(this, args)
      if (out.byteLength >= 1200 && out.byteLength <= 65_535) joined.push(out.byteLength)
      return out
    }
    const data = randomBytes(200_000)
    try {
      const arrived = received(theirs.connection, data.byteLength)
      mine.connection.send(data)
      const got = await arrived
      assert.deepEqual(joined, [], 'frames were copied into one buffer')
      assert.deepEqual(Buffer.from(got), data)
    } finally {
      Uint8ArrayList.prototype.subarray = subarray
    }
  })

  it('carries a libp2p stream both ways between real nodes over TCP', async function () {
    this.timeout(20_000)
    const make = async (): Promise<Awaited<ReturnType<typeof createLibp2p>>> => await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
      transports: [tcp()],
      connectionEncrypters: [noiseEncrypter()],
      streamMuxers: [yamux()]
    })
    const [one, two] = await Promise.all([make(), make()])
    try {
      const data = randomBytes(2 * 1024 * 1024)
      await two.handle('/test/echo/1', (stream) => {
        stream.addEventListener('message', (evt: StreamMessageEvent) => { stream.send(evt.data) })
        stream.addEventListener('remoteCloseWrite', () => { void stream.close() })
      })
      const stream = await one.dialProtocol(two.getMultiaddrs()[0], '/test/echo/1')
      const echoed = received(stream, data.byteLength)
      for (let at = 0; at < data.byteLength; at += 100_003) {
        if (!stream.send(data.subarray(at, at + 100_003))) await new Promise(resolve => stream.addEventListener('drain', resolve, { once: true }))
        // and a burst of tiny writes in the same tick
        for (let i = 0; i < 5; i++) stream.send(randomBytes(0))
      }
      assert.deepEqual(Buffer.from(await echoed), data)
    } finally {
      await Promise.all([one.stop(), two.stop()])
    }
  })
})
