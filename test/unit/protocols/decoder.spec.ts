import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { WireDecoder, encodePieceRun } from '../../../protocols/piece-exchange/decoder.js'
import { MAX_CONTROL_FRAME } from '../../../protocols/piece-exchange/constants.js'
import { Message } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { encodeFrame } from '../../../src/utils/frames.js'
import { isNamedError, seededRandom } from '../fixtures.js'

type Out = ['message', Message] | ['bytes', Uint8Array]

function decoder (): { decoder: WireDecoder, out: Out[] } {
  const out: Out[] = []
  return { out, decoder: new WireDecoder({ onMessage: m => { out.push(['message', m]) }, onPieceBytes: b => { out.push(['bytes', b]) } }) }
}

/** Messages as they were decoded, with adjacent runs of piece bytes merged into one. */
function normalise (out: Out[]): Array<['message', Message] | ['bytes', Buffer]> {
  const merged: Array<['message', Message] | ['bytes', Buffer]> = []
  for (const item of out) {
    const last = merged[merged.length - 1]
    if (item[0] === 'bytes' && last?.[0] === 'bytes') last[1] = Buffer.concat([last[1], item[1]])
    else merged.push(item[0] === 'bytes' ? ['bytes', Buffer.from(item[1])] : item)
  }
  return merged
}

const violation = isNamedError('ProtocolViolationError')

describe('protocols/piece-exchange decoder', () => {
  const runA = randomBytes(5000)
  const runB = randomBytes(300)
  const stream = new Uint8ArrayList(
    encodeFrame(Message.encode({ have: { index: 1 } })),
    encodePieceRun(2, 0, runA),
    encodeFrame(Message.encode({ request: { index: 3 } })),
    encodePieceRun(2, 5000, runB),
    encodeFrame(Message.encode({ cancel: { index: 4 } }))
  ).subarray()
  const expected = [
    ['message', { have: { index: 1 } }],
    ['message', { piece: { index: 2, offset: 0, length: 5000 } }],
    ['bytes', runA],
    ['message', { request: { index: 3 } }],
    ['message', { piece: { index: 2, offset: 5000, length: 300 } }],
    ['bytes', runB],
    ['message', { cancel: { index: 4 } }]
  ]

  it('splits messages and the raw bytes after each Piece header', () => {
    const { decoder: d, out } = decoder()
    d.push(stream)
    assert.deepEqual(normalise(out), expected)
  })

  it('gives the same result however the stream is cut: byte by byte', () => {
    const { decoder: d, out } = decoder()
    for (let i = 0; i < stream.byteLength; i++) d.push(stream.subarray(i, i + 1))
    assert.deepEqual(normalise(out), expected)
  })

  it('gives the same result however the stream is cut: random cuts, as lists', () => {
    const random = seededRandom(42)
    for (let trial = 0; trial < 50; trial++) {
      const { decoder: d, out } = decoder()
      for (let at = 0; at < stream.byteLength;) {
        const size = 1 + Math.floor(random() * 700)
        const piece = stream.subarray(at, at + size)
        d.push(new Uint8ArrayList(piece.subarray(0, piece.length >> 1), piece.subarray(piece.length >> 1)))
        at += size
      }
      assert.deepEqual(normalise(out), expected, `trial ${trial}`)
    }
  })

  it('a frame length over the control cap throws before the frame arrives', () => {
    const { decoder: d, out } = decoder()
    assert.throws(() => { d.push(varint.encode(MAX_CONTROL_FRAME + 1)) }, violation)
    assert.deepEqual(out, [])
  })

  it('a control frame of exactly the cap is accepted', () => {
    const { decoder: d, out } = decoder()
    // a handshake whose bitfield pads the message to exactly MAX_CONTROL_FRAME bytes
    const overhead = Message.encode({ handshake: { contentId: new Uint8Array(0), pieceCount: 0, bitfield: new Uint8Array(MAX_CONTROL_FRAME - 8) } }).byteLength - (MAX_CONTROL_FRAME - 8)
    const message = Message.encode({ handshake: { contentId: new Uint8Array(0), pieceCount: 0, bitfield: new Uint8Array(MAX_CONTROL_FRAME - overhead) } })
    assert.equal(message.byteLength, MAX_CONTROL_FRAME)
    d.push(encodeFrame(message))
    assert.equal(out.length, 1)
  })

  it('a malformed varint length throws once it is too long to be one', () => {
    const { decoder: d } = decoder()
    assert.throws(() => { d.push(new Uint8Array(10).fill(0xff)) }, violation)
  })

  it('a frame length in more varint bytes than it needs throws (found by fuzzing: it desynchronised the stream)', () => {
    const { decoder: d, out } = decoder()
    // 2 as [0x82, 0x00]: read as one byte, the body would start at the length's second byte
    assert.throws(() => { d.push(Uint8Array.of(0x82, 0x00, 0x42, 0x00)) }, violation)
    assert.deepEqual(out, [])
  })

  it('an undecodable message throws', () => {
    const { decoder: d } = decoder()
    assert.throws(() => { d.push(encodeFrame(Uint8Array.of(0xff, 0xff, 0xff))) }, violation)
  })

  it('waits for the rest of a partial frame', () => {
    const { decoder: d, out } = decoder()
    const frame = encodeFrame(Message.encode({ have: { index: 7 } })).subarray()
    d.push(frame.subarray(0, frame.length - 1))
    assert.deepEqual(out, [])
    d.push(frame.subarray(frame.length - 1))
    assert.deepEqual(out, [['message', { have: { index: 7 } }]])
  })

  it('encodePieceRun writes a header then the data itself', () => {
    const data = randomBytes(100)
    const run = encodePieceRun(9, 256, data)
    const bytes = run.subarray()
    const length = varint.decode(bytes)
    const header = Message.decode(bytes.subarray(varint.encodingLength(length), varint.encodingLength(length) + length))
    assert.deepEqual(header, { piece: { index: 9, offset: 256, length: 100 } })
    assert.ok(Buffer.from(bytes.subarray(bytes.length - 100)).equals(data))
  })
})
