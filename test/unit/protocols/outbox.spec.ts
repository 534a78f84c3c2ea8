/**
 * What a wire queues to a peer that does not read: control messages wait (counted, capped),
 * piece sends wait and report the stall, a graceful close does not wait forever.
 */
import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { Uint8ArrayList } from 'uint8arraylist'
import { MAX_QUEUED_CONTROL } from '../../../protocols/piece-exchange/constants.js'
import { Outbox } from '../../../protocols/piece-exchange/outbox.js'
import { Wire } from '../../../protocols/piece-exchange/wire.js'
import { until } from '../fixtures.js'
import type { ReadWatch, SwarmEndpoint } from '../../../src/core/wire.js'
import type { Stream } from '@libp2p/interface'

/**
 * The sending end of a stream whose peer admits `window` bytes, then only what `read` lets
 * through: what does not fit stays in `writeBufferLength`, as in Yamux.
 */
class WindowedStream extends EventTarget {
  writeStatus = 'writable'
  writableNeedsDrain = false
  writeBufferLength = 0
  /** Bytes the peer has taken. */
  taken = new Uint8ArrayList()
  aborted?: Error
  private readonly buffer = new Uint8ArrayList()

  constructor (private window: number) { super() }

  send (bytes: Uint8Array | Uint8ArrayList): boolean {
    this.buffer.append(bytes)
    this.move()
    return !this.writableNeedsDrain
  }

  /** The peer reads `bytes` more: its window opens by that much. */
  read (bytes: number): void {
    this.window += bytes
    const blocked = this.buffer.byteLength > 0
    this.move()
    if (blocked) this.dispatchEvent(new Event('drain'))
  }

  abort (err: Error): void {
    this.aborted = err
    this.writeStatus = 'closed'
    this.dispatchEvent(Object.assign(new Event('close'), { error: err }))
  }

  async close (): Promise<void> {
    this.writeStatus = 'closed'
  }

  private move (): void {
    const n = Math.min(this.window, this.buffer.byteLength)
    this.taken.append(this.buffer.sublist(0, n))
    this.buffer.consume(n)
    this.window -= n
    this.writeBufferLength = this.buffer.byteLength
    this.writableNeedsDrain = this.buffer.byteLength > 0
  }
}

const asStream = (s: WindowedStream): Stream => s as unknown as Stream
const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

function watch (stallMs: number, minRate: number): ReadWatch & { stalls: number, reads: number } {
  const w = { stallMs, minRate, stalls: 0, reads: 0, onStall: () => { w.stalls++ }, onRead: () => { w.reads++ } }
  return w
}

describe('protocols/piece-exchange outbox', () => {
  it('control messages wait while the stream is blocked, counted in queued, and go out in order when it is not', () => {
    const stream = new WindowedStream(4)
    const outbox = new Outbox(asStream(stream))
    outbox.write(Uint8Array.of(1, 2, 3, 4, 5, 6))
    assert.equal(outbox.blocked, true)
    for (let i = 0; i < 1000; i++) outbox.append(Uint8Array.of(i & 0xff))
    outbox.flush()
    assert.equal(outbox.queued, 2 + 1000)
    assert.equal(stream.taken.byteLength, 4)
    stream.read(10_000)
    outbox.flush()
    assert.equal(outbox.queued, 0)
    const taken = stream.taken.subarray()
    assert.deepEqual([...taken.subarray(0, 6)], [1, 2, 3, 4, 5, 6])
    assert.deepEqual([...taken.subarray(6)], Array.from({ length: 1000 }, (_, i) => i & 0xff), 'messages joined into fewer pieces changed or lost bytes')
  })

  it('a forced flush writes the waiting messages even into a blocked stream (the last words before a close)', () => {
    const stream = new WindowedStream(0)
    const outbox = new Outbox(asStream(stream))
    outbox.write(Uint8Array.of(1))
    outbox.append(Uint8Array.of(2))
    outbox.flush(true)
    assert.equal(stream.writeBufferLength, 2)
  })

  it('writable resolves at once while the peer reads', async () => {
    const outbox = new Outbox(asStream(new WindowedStream(1024)))
    outbox.write(new Uint8Array(100))
    const w = watch(20, 1)
    await outbox.writable(w)
    assert.equal(w.stalls, 0)
  })

  it('a peer that reads nothing is reported every stallMs while the send waits; the wait ends when it reads', async () => {
    const stream = new WindowedStream(10)
    const outbox = new Outbox(asStream(stream))
    outbox.write(new Uint8Array(100))
    const w = watch(40, 1)
    let done = false
    const waiting = outbox.writable(w).then(() => { done = true })
    await until(() => w.stalls >= 2, 5000, 'two stalls')
    assert.equal(done, false)
    assert.equal(w.reads, 0)
    stream.read(1000)
    outbox.drained()
    assert.equal(w.reads, 1, 'the watch was not told at once that the peer reads again')
    await waiting
    const stalls = w.stalls
    await sleep(60)
    assert.equal(w.stalls, stalls, 'reported after the wait ended')
  })

  it('a peer that reads, but slower than minRate, is reported; one at minRate or faster is not', async () => {
    for (const [perTick, expectStall] of [[1, true], [5000, false]] as const) {
      const stream = new WindowedStream(0)
      const outbox = new Outbox(asStream(stream))
      outbox.write(new Uint8Array(100_000))
      // 50 ms windows at 1000 B/s: a window needs 50 bytes taken
      const w = watch(50, 1000)
      const reader = setInterval(() => { stream.read(perTick) }, 10)
      const waiting = outbox.writable(w)
      await sleep(130)
      clearInterval(reader)
      stream.read(1_000_000)
      await waiting
      assert.equal(w.stalls > 0, expectStall, `${perTick} bytes every 10 ms: ${w.stalls} stalls`)
    }
  })

  it('writable rejects once the stream closes', async () => {
    const stream = new WindowedStream(0)
    const outbox = new Outbox(asStream(stream))
    outbox.write(new Uint8Array(10))
    const waiting = outbox.writable(watch(1000, 1))
    stream.abort(new Error('reset'))
    await assert.rejects(waiting)
  })
})

describe('protocols/piece-exchange wire: a peer that does not read', () => {
  const log = defaultLogger().forComponent('shoal:test:outbox')

  it(`past MAX_QUEUED_CONTROL (${MAX_QUEUED_CONTROL}) bytes of messages waiting for it, the stream is reset as a violation`, async () => {
    const stream = new WindowedStream(0)
    const wire = new Wire({ stream: asStream(stream), remotePeer: 'peer-A', outbound: false, log })
    let ended: Error | undefined
    wire.onEnd = (err) => { ended = err }
    // a run that does not fit stays in the stream; its reject answers then wait, counted
    void wire.sendPiece(0, new Uint8Array(256 * 1024)).catch(() => {})
    await sleep(0)
    let sent = 0
    while (stream.aborted === undefined && sent < 1_000_000) {
      wire.sendReject(sent++ % 1000, 'overloaded')
      if (sent % 1000 === 0) await sleep(0)
    }
    assert.equal(stream.aborted?.name, 'ProtocolViolationError')
    assert.match(stream.aborted?.message ?? '', /does not read what we send it/)
    assert.equal(ended?.name, 'ProtocolViolationError')
    // 256 KiB of rejects of a few bytes each
    assert.ok(sent > 20_000 && sent < 60_000, `${sent} rejects queued before the reset`)
  })

  it('our own handshake into a fresh stream is no offence, however large: a bitfield of 1 MiB in parts goes out whole', async () => {
    const stream = new WindowedStream(0)
    const wire = new Wire({ stream: asStream(stream), remotePeer: 'peer-A', outbound: true, log })
    const pieceCount = 8 * 1024 * 1024
    const endpoint = { pieceCount, bitfield: () => new Uint8Array(pieceCount / 8) } as unknown as SwarmEndpoint
    wire.sendHandshake(new Uint8Array(36), endpoint)
    await sleep(0)
    assert.equal(stream.aborted, undefined, `the stream was reset: ${stream.aborted?.message ?? ''}`)
    assert.ok(stream.writeBufferLength > pieceCount / 8, `${stream.writeBufferLength} bytes handed to the stream`)
  })

  it('a piece send waits on a peer that reads nothing, reporting each stall and, at once, its reading again; it fails once the stream is reset', async () => {
    const stream = new WindowedStream(1000)
    const wire = new Wire({ stream: asStream(stream), remotePeer: 'peer-A', outbound: false, log })
    const w = watch(30, 1)
    const sending = wire.sendPiece(0, new Uint8Array(600 * 1024), undefined, w)
    await until(() => w.stalls >= 2, 5000, 'two stalls')
    // the stream's drain tells the watch at once, before anything the peer sent next is handled
    stream.read(1000)
    assert.equal(w.reads, 1)
    wire.close(new Error('dropped'))
    await assert.rejects(sending)
  })
})
