/**
 * Two Wires back to back over an in-memory stream pair: what one side sends arrives, typed,
 * at the other side's handler; what breaks the protocol closes the receiving wire.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { defaultLogger } from '@libp2p/logger'
import { streamPair } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { MAX_FRAME_DATA } from '../../../protocols/piece-exchange/constants.js'
import { Message, RejectCode } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { Wire } from '../../../protocols/piece-exchange/wire.js'
import { contentIdOf } from '../../../src/core/content-id.js'
import { encodeFrame } from '../../../src/utils/frames.js'
import { until } from '../fixtures.js'
import type { PieceWireHandler, RejectReason, SwarmEndpoint } from '../../../src/core/wire.js'
import type { Stream } from '@libp2p/interface'

const KiB = 1024
const PIECE_COUNT = 4
/** Pieces 0-2 are 600 KiB (three frames each), piece 3 is short. */
const pieceLength = (index: number): number => index === PIECE_COUNT - 1 ? 1000 : 600 * KiB
const CONTENT_ID = contentIdOf(Uint8Array.of(4, 2)).bytes
const log = defaultLogger().forComponent('shoal:test:wire')

type Event =
  | ['have' | 'request' | 'cancel', number]
  | ['reject', number, RejectReason]
  | ['data', number, number, Uint8Array]
  | ['choke' | 'unchoke']

/** Records every call, in order. */
class Recorder implements PieceWireHandler {
  readonly events: Event[] = []
  readonly closes: Array<Error | undefined> = []
  onHave (index: number): void { this.events.push(['have', index]) }
  onRequest (index: number): void { this.events.push(['request', index]) }
  onCancel (index: number): void { this.events.push(['cancel', index]) }
  onReject (index: number, reason: RejectReason): void { this.events.push(['reject', index, reason]) }
  onChoke (): void { this.events.push(['choke']) }
  onUnchoke (): void { this.events.push(['unchoke']) }
  onPieceData (index: number, offset: number, data: Uint8Array): void { this.events.push(['data', index, offset, data]) }
  onClose (err?: Error): void { this.closes.push(err) }

  /** The data events, as [index, offset, bytes]. */
  get data (): Array<[number, number, Uint8Array]> {
    return this.events.filter((e): e is ['data', number, number, Uint8Array] => e[0] === 'data').map(e => [e[1], e[2], e[3]])
  }

  /** Everything but piece data. */
  get control (): Event[] {
    return this.events.filter(e => e[0] !== 'data')
  }
}

function endpoint (bitfield: Uint8Array, pieceCount = PIECE_COUNT): SwarmEndpoint {
  return {
    contentId: 'test',
    pieceCount,
    pieceLength,
    bitfield: () => bitfield,
    attach: () => { throw new Error('attach is not used by the wire') }
  }
}

/** One end: its raw stream, its Wire, and what the Wire told us. */
class Side {
  readonly handler = new Recorder()
  readonly wire: Wire
  /** Errors given to `onEnd` (the wire ended before or after opening). */
  readonly ended: Array<Error | undefined> = []
  closedCalls = 0
  handshake?: { contentId: Uint8Array, pieceCount: number, bitfield: Uint8Array }

  constructor (readonly stream: Stream, remotePeer: string, outbound: boolean) {
    this.wire = new Wire({ stream, remotePeer, outbound, log, onClosed: () => { this.closedCalls++ } })
    this.wire.onEnd = (err) => { this.ended.push(err) }
  }
}

/** Two wires over a stream pair, not yet handshaken. `left` dials. */
async function pair (): Promise<{ left: Side, right: Side }> {
  const [a, b] = await streamPair()
  return { left: new Side(a, 'right-peer', true), right: new Side(b, 'left-peer', false) }
}

/**
 * The handshake as piece-exchange.ts drives it: the dialer sends, the listener answers and
 * opens, the dialer opens on the answer.
 */
async function openPair (leftBits: Uint8Array = Uint8Array.of(0xf0), rightBits: Uint8Array = Uint8Array.of(0x40), pieceCount = PIECE_COUNT): Promise<{ left: Side, right: Side }> {
  const { left, right } = await pair()
  const leftEndpoint = endpoint(leftBits, pieceCount)
  const rightEndpoint = endpoint(rightBits, pieceCount)
  right.wire.onHandshake = (contentId, pieceCount) => {
    right.handshake = { contentId, pieceCount, bitfield: new Uint8Array(0) }
    return rightEndpoint
  }
  right.wire.onBitfield = (bitfield) => {
    if (right.handshake !== undefined) right.handshake.bitfield = bitfield
    right.wire.sendHandshake(CONTENT_ID, rightEndpoint)
    right.wire.open(rightEndpoint, right.handler)
  }
  left.wire.onHandshake = (contentId, pieceCount) => {
    left.handshake = { contentId, pieceCount, bitfield: new Uint8Array(0) }
    return leftEndpoint
  }
  left.wire.onBitfield = (bitfield) => {
    if (left.handshake !== undefined) left.handshake.bitfield = bitfield
    left.wire.open(leftEndpoint, left.handler)
  }
  left.wire.sendHandshake(CONTENT_ID, leftEndpoint)
  await until(() => left.wire.isOpen && right.wire.isOpen, 3000, 'both wires open')
  return { left, right }
}

/** A Piece header frame for a run of `length` bytes, then the run itself, written raw. */
function rawRun (index: number, offset: number, data: Uint8Array, length = data.byteLength): Uint8ArrayList {
  return new Uint8ArrayList(encodeFrame(Message.encode({ piece: { index, offset, length } })), data)
}

function rawMessage (message: Partial<Message>): Uint8ArrayList {
  return encodeFrame(Message.encode(message))
}

/** Wait for `side`'s handler to be told the wire closed, and return the error. */
async function closedWith (side: Side): Promise<Error | undefined> {
  await until(() => side.handler.closes.length > 0, 3000, 'the handler to see the close')
  assert.equal(side.handler.closes.length, 1, 'onClose is called once')
  assert.equal(side.wire.isOpen, false)
  return side.handler.closes[0]
}

async function assertViolation (side: Side, message?: RegExp): Promise<void> {
  const err = await closedWith(side)
  assert.equal(err?.name, 'ProtocolViolationError', `closed with ${err?.name}: ${err?.message}`)
  if (message !== undefined) assert.match(err.message, message)
}

const concat = (runs: Array<[number, number, Uint8Array]>): Buffer => Buffer.concat(runs.map(r => r[2]))

describe('protocols/piece-exchange wire', () => {
  const sides: Side[] = []

  afterEach(() => {
    for (const side of sides.splice(0)) side.wire.close()
  })

  async function open (leftBits?: Uint8Array, rightBits?: Uint8Array, pieceCount?: number): Promise<{ left: Side, right: Side }> {
    const opened = await openPair(leftBits, rightBits, pieceCount)
    sides.push(opened.left, opened.right)
    return opened
  }

  describe('handshake', () => {
    it('each side gets the other content id, piece count and bitfield, then both are open', async () => {
      const { left, right } = await open(Uint8Array.of(0xa0), Uint8Array.of(0x50))
      assert.deepEqual(right.handshake, { contentId: CONTENT_ID, pieceCount: PIECE_COUNT, bitfield: Uint8Array.of(0xa0) })
      assert.deepEqual(left.handshake, { contentId: CONTENT_ID, pieceCount: PIECE_COUNT, bitfield: Uint8Array.of(0x50) })
      assert.equal(left.wire.outbound, true)
      assert.equal(right.wire.outbound, false)
      assert.equal(left.wire.remotePeer, 'right-peer')
    })

    it('a message other than a handshake first ends the wire with ProtocolViolationError', async () => {
      const { left, right } = await pair()
      sides.push(left, right)
      left.stream.send(rawMessage({ have: { index: 1 } }))
      await until(() => right.ended.length > 0, 3000, 'the wire to end')
      assert.equal(right.ended[0]?.name, 'ProtocolViolationError')
      assert.match(right.ended[0].message, /handshake first/)
      assert.equal(right.closedCalls, 1)
    })

    it('content too large for one handshake frame (600,000 pieces): both bitfields go in parts and arrive whole', async () => {
      const pieceCount = 600_000
      const leftBits = randomBytes(pieceCount / 8)
      const rightBits = randomBytes(pieceCount / 8)
      const { left, right } = await open(leftBits, rightBits, pieceCount)
      assert.equal(right.handshake?.pieceCount, pieceCount)
      assert.deepEqual(Buffer.from(right.handshake?.bitfield ?? []), leftBits)
      assert.deepEqual(Buffer.from(left.handshake?.bitfield ?? []), rightBits)
      // and the exchange goes on as usual
      left.wire.sendHave(pieceCount - 1)
      await until(() => right.handler.events.length === 1)
      assert.deepEqual(right.handler.events, [['have', pieceCount - 1]])
    })

    for (const [what, handshake, why] of [
      ['a piece count other than the endpoint\'s', { pieceCount: PIECE_COUNT + 1, bitfield: Uint8Array.of(0xf8) }, /5 pieces where the manifest has 4/],
      ['a bitfield of the wrong length', { pieceCount: PIECE_COUNT, bitfield: Uint8Array.of(0xf0, 0) }, /bitfield of 2 bytes for 4 pieces/],
      ['a bit set past the last piece', { pieceCount: PIECE_COUNT, bitfield: Uint8Array.of(0xf8) }, /past the last piece/],
      ['bitfield parts for content whose bitfield fits in the handshake', { pieceCount: PIECE_COUNT, bitfield: new Uint8Array(0) }, /bitfield of 0 bytes/]
    ] as const) {
      it(`${what} ends the wire as a breach before the bitfield is handed on`, async () => {
        const { left, right } = await pair()
        sides.push(left, right)
        let handedOn = false
        right.wire.onHandshake = () => endpoint(Uint8Array.of(0), PIECE_COUNT)
        right.wire.onBitfield = () => { handedOn = true }
        left.stream.send(rawMessage({ handshake: { contentId: CONTENT_ID as Uint8Array<ArrayBuffer>, pieceCount: handshake.pieceCount, bitfield: handshake.bitfield as Uint8Array<ArrayBuffer> } }))
        await until(() => right.ended.length > 0, 3000, 'the wire to end')
        assert.equal(right.ended[0]?.name, 'ProtocolViolationError')
        assert.match(right.ended[0].message, why)
        assert.equal(handedOn, false)
      })
    }
  })

  describe('control messages', () => {
    it('have, request, cancel and reject arrive in order with their values', async () => {
      const { left, right } = await open()
      left.wire.sendHave(2)
      left.wire.sendRequest(0)
      left.wire.sendRequest(3)
      left.wire.sendCancel(0)
      left.wire.sendReject(1, 'not-available')
      left.wire.sendReject(3, 'overloaded')
      await until(() => right.handler.events.length === 6)
      assert.deepEqual(right.handler.events, [
        ['have', 2], ['request', 0], ['request', 3], ['cancel', 0], ['reject', 1, 'not-available'], ['reject', 3, 'overloaded']
      ])
      assert.deepEqual(left.handler.events, [])
    })

    it('work in both directions at once', async () => {
      const { left, right } = await open()
      left.wire.sendRequest(1)
      right.wire.sendRequest(2)
      right.wire.sendHave(0)
      await until(() => left.handler.events.length === 2 && right.handler.events.length === 1)
      assert.deepEqual(right.handler.events, [['request', 1]])
      assert.deepEqual(left.handler.events, [['request', 2], ['have', 0]])
    })

    it('a reject reason with no wire code of its own arrives as not-available', async () => {
      const { left, right } = await open()
      left.wire.sendReject(1, 'duplicate')
      await until(() => right.handler.events.length === 1)
      assert.deepEqual(right.handler.events, [['reject', 1, 'not-available']])
    })

    it('many messages in one burst all arrive, in order', async () => {
      const { left, right } = await open()
      for (let i = 0; i < 1000; i++) left.wire.sendHave(i % PIECE_COUNT)
      await until(() => right.handler.events.length === 1000)
      assert.ok(right.handler.events.every((e, i) => e[0] === 'have' && e[1] === i % PIECE_COUNT))
    })
  })

  describe('piece data', () => {
    it('a 600 KiB piece arrives in order, and its runs concatenate to the data', async () => {
      const { left, right } = await open()
      const data = randomBytes(600 * KiB)
      await left.wire.sendPiece(1, data)
      await until(() => concat(right.handler.data).byteLength === data.byteLength)
      let expected = 0
      for (const [index, offset, bytes] of right.handler.data) {
        assert.equal(index, 1)
        assert.equal(offset, expected, 'runs arrive in order, without gaps')
        assert.ok(bytes.byteLength > 0)
        expected += bytes.byteLength
      }
      assert.ok(concat(right.handler.data).equals(data))
      assert.equal(left.wire.stats.uploaded, 600 * KiB)
      assert.equal(right.wire.stats.downloaded, 600 * KiB)
      assert.ok(right.handler.data.length >= Math.ceil(data.byteLength / MAX_FRAME_DATA))
    })

    it('a paced piece goes out in runs of the pacing size, each paid for before it is sent', async () => {
      const { left, right } = await open()
      const data = randomBytes(100 * KiB)
      const taken: number[] = []
      await left.wire.sendPiece(2, data, { take: async (bytes) => { taken.push(bytes) }, runBytes: 16 * KiB })
      assert.deepEqual(taken, [...Array(6).fill(16 * KiB), 4 * KiB])
      await until(() => concat(right.handler.data).byteLength === data.byteLength)
      assert.ok(concat(right.handler.data).equals(data))
      // a pacing size over the frame limit is held to it
      taken.length = 0
      await left.wire.sendPiece(1, randomBytes(600 * KiB), { take: async (bytes) => { taken.push(bytes) }, runBytes: 4 * MAX_FRAME_DATA })
      assert.ok(taken.every(bytes => bytes <= MAX_FRAME_DATA))
    })

    it('the short last piece arrives whole', async () => {
      const { left, right } = await open()
      const data = randomBytes(1000)
      await left.wire.sendPiece(3, data)
      await until(() => concat(right.handler.data).byteLength === 1000)
      assert.ok(concat(right.handler.data).equals(data))
    })

    it('pieces sent at once are not interleaved, and each is whole', async () => {
      const { left, right } = await open()
      const pieces = [randomBytes(600 * KiB), randomBytes(600 * KiB), randomBytes(1000)]
      await Promise.all([left.wire.sendPiece(0, pieces[0]), left.wire.sendPiece(2, pieces[1]), left.wire.sendPiece(3, pieces[2])])
      const total = pieces.reduce((n, p) => n + p.byteLength, 0)
      await until(() => concat(right.handler.data).byteLength === total, 5000)
      const order = right.handler.data.map(r => r[0]).filter((index, i, all) => i === 0 || all[i - 1] !== index)
      assert.deepEqual(order, [0, 2, 3])
      for (const [at, index] of [0, 2, 3].entries()) {
        assert.ok(concat(right.handler.data.filter(r => r[0] === index)).equals(pieces[at]), `piece ${index}`)
      }
    })

    it('the same piece can be sent twice (an endgame duplicate)', async () => {
      const { left, right } = await open()
      const data = randomBytes(600 * KiB)
      await left.wire.sendPiece(0, data)
      await left.wire.sendPiece(0, data)
      await until(() => concat(right.handler.data).byteLength === 2 * data.byteLength)
      assert.equal(right.handler.closes.length, 0)
      assert.ok(concat(right.handler.data).equals(Buffer.concat([data, data])))
    })

    it('control messages sent before a piece arrive before its data', async () => {
      const { left, right } = await open()
      left.wire.sendHave(2)
      left.wire.sendRequest(1)
      await left.wire.sendPiece(3, randomBytes(1000))
      await until(() => concat(right.handler.data).byteLength === 1000)
      assert.deepEqual(right.handler.events.slice(0, 2), [['have', 2], ['request', 1]])
      assert.ok(right.handler.events.slice(2).every(e => e[0] === 'data'))
    })
  })

  describe('protocol violations close the receiving wire with ProtocolViolationError', () => {
    it('a piece run at the wrong offset', async () => {
      const { left, right } = await open()
      left.stream.send(rawRun(0, 5, randomBytes(100)))
      await assertViolation(right, /piece 0/)
      assert.deepEqual(right.handler.data, [])
    })

    it('a run that skips ahead within a piece', async () => {
      const { left, right } = await open()
      left.stream.send(rawRun(0, 0, randomBytes(1000)))
      left.stream.send(rawRun(0, 2000, randomBytes(1000)))
      await assertViolation(right)
      assert.equal(right.handler.data.reduce((n, r) => n + r[2].byteLength, 0), 1000)
    })

    it('a piece index >= pieceCount', async () => {
      const { left, right } = await open()
      left.stream.send(rawRun(PIECE_COUNT, 0, randomBytes(100)))
      await assertViolation(right, /out of range/)
    })

    it('a have, request, cancel or reject index >= pieceCount', async () => {
      const messages: Array<Partial<Message>> = [{ have: { index: PIECE_COUNT } }, { request: { index: 100 } }, { cancel: { index: PIECE_COUNT } }, { reject: { index: 2 ** 32 - 1, code: RejectCode.NOT_AVAILABLE } }]
      for (const message of messages) {
        const { left, right } = await open()
        left.stream.send(rawMessage(message))
        await assertViolation(right, /out of range/)
        assert.deepEqual(right.handler.events, [])
      }
    })

    it('a run past the end of the piece', async () => {
      const { left, right } = await open()
      left.stream.send(rawRun(3, 0, randomBytes(1001)))
      await assertViolation(right)
      assert.deepEqual(right.handler.data, [])
    })

    it('an empty run', async () => {
      const { left, right } = await open()
      left.stream.send(rawRun(0, 0, new Uint8Array(0)))
      await assertViolation(right)
    })

    it('a run longer than the frame limit', async () => {
      const { left, right } = await open()
      left.stream.send(rawRun(0, 0, randomBytes(MAX_FRAME_DATA + 1)))
      await assertViolation(right)
      assert.deepEqual(right.handler.data, [])
    })

    it('a frame length over the control frame cap, before its bytes arrive', async () => {
      const { left, right } = await open()
      left.stream.send(varint.encode(10 * 1024 * 1024)) // a length prefix alone
      await assertViolation(right)
    })

    it('bytes that do not decode', async () => {
      const { left, right } = await open()
      left.stream.send(encodeFrame(Uint8Array.of(0xff, 0xff, 0xff, 0xff)))
      await assertViolation(right, /undecodable/)
    })

    it('a message with no field set', async () => {
      const { left, right } = await open()
      left.stream.send(encodeFrame(new Uint8Array(0)))
      await assertViolation(right)
    })

    it('a second handshake once open', async () => {
      const { left, right } = await open()
      left.stream.send(rawMessage({ handshake: { contentId: CONTENT_ID as Uint8Array<ArrayBuffer>, pieceCount: PIECE_COUNT, bitfield: Uint8Array.of(0) } }))
      await assertViolation(right)
    })

    it('the sender sees its stream end too, and nothing more is delivered', async () => {
      const { left, right } = await open()
      left.stream.send(rawRun(0, 7, randomBytes(10)))
      await assertViolation(right)
      await closedWith(left)
      left.wire.sendHave(1)
      right.wire.sendHave(1)
      await new Promise(resolve => setTimeout(resolve, 20))
      assert.deepEqual(right.handler.events, [])
      assert.deepEqual(left.handler.events, [])
    })
  })

  describe('closing', () => {
    it('close() ends both sides cleanly, each handler told once, with no error', async () => {
      const { left, right } = await open()
      left.wire.close()
      assert.equal(await closedWith(left), undefined)
      assert.equal(await closedWith(right), undefined)
      assert.equal(left.closedCalls, 1)
      assert.equal(right.closedCalls, 1)
      // a closed wire ignores sends and further closes
      assert.doesNotThrow(() => {
        left.wire.sendHave(1)
        left.wire.sendRequest(1)
        left.wire.close()
        left.wire.close(new Error('late'))
      })
      assert.equal(left.handler.closes.length, 1)
    })

    it('messages sent just before close() still arrive', async () => {
      const { left, right } = await open()
      left.wire.sendHave(3)
      left.wire.sendRequest(1)
      left.wire.close()
      await closedWith(right)
      assert.deepEqual(right.handler.events, [['have', 3], ['request', 1]])
    })

    it('close(err) gives the local handler that error, and resets the remote', async () => {
      const { left, right } = await open()
      const err = new Error('local failure')
      left.wire.close(err)
      assert.equal(await closedWith(left), err)
      const remote = await closedWith(right)
      assert.ok(remote instanceof Error, 'the remote sees a reset, not a clean end')
    })

    it('refuse(reason) reaches the other side as RemoteRefusedError naming the code', async () => {
      const { left, right } = await open()
      right.wire.refuse('swarm-full')
      const err = await closedWith(left)
      assert.equal(err?.name, 'RemoteRefusedError')
      assert.match(err.message, /SWARM_FULL/)
      assert.equal(await closedWith(right), undefined)
    })

    it('sendPiece on a closed wire sends nothing', async () => {
      const { left, right } = await open()
      left.wire.close()
      await closedWith(right)
      await left.wire.sendPiece(0, randomBytes(600 * KiB)).catch(() => {})
      assert.equal(left.wire.stats.uploaded, 0)
      assert.deepEqual(right.handler.data, [])
    })
  })
})
