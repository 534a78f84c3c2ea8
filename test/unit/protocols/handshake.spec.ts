/**
 * The piece-exchange handshake's size rule: the bitfield rides in the Handshake whenever
 * the message then fits in one frame (every content a node without BitfieldPart can trade),
 * and follows in parts otherwise; the reader puts the parts back together, allocating only
 * for a piece count its driver accepted.
 */
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { BITFIELD_PART_BYTES, MAX_CONTROL_FRAME } from '../../../protocols/piece-exchange/constants.js'
import { HandshakeReader, bitfieldFitsInHandshake, handshakeMessageBytes, handshakeMessages } from '../../../protocols/piece-exchange/handshake.js'
import { Message } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { contentIdOf } from '../../../src/core/content-id.js'

const CONTENT_ID = contentIdOf(Uint8Array.of(1, 2, 3)).bytes
/** The largest piece count whose bitfield fits in a 64 KiB Handshake frame with a Shoal content id. */
const LARGEST_INLINE = 523_888

/** A reader whose driver accepts `accept` pieces; what it was given is recorded. */
function reader (accept: number | undefined): { reader: HandshakeReader, headers: Array<[number]>, bitfields: Uint8Array[] } {
  const headers: Array<[number]> = []
  const bitfields: Uint8Array[] = []
  return {
    headers,
    bitfields,
    reader: new HandshakeReader({
      header: (_contentId, pieceCount) => { headers.push([pieceCount]); return accept },
      complete: (bitfield) => { bitfields.push(bitfield) }
    })
  }
}

describe('protocols/piece-exchange handshake', () => {
  it('handshakeMessageBytes is the encoded length of the Message', () => {
    for (const [pieceCount, bitfieldBytes] of [[0, 0], [1, 1], [127, 16], [128, 16], [200_000, 25_000], [LARGEST_INLINE, LARGEST_INLINE / 8], [LARGEST_INLINE + 1, 0], [8_388_600, 0]]) {
      const encoded = Message.encode({ handshake: { contentId: CONTENT_ID as Uint8Array<ArrayBuffer>, pieceCount, bitfield: new Uint8Array(bitfieldBytes) } })
      assert.equal(handshakeMessageBytes(CONTENT_ID.byteLength, pieceCount, bitfieldBytes), encoded.byteLength, `${pieceCount} pieces, ${bitfieldBytes} bytes`)
    }
  })

  it('the bitfield rides in the handshake exactly as far as a single frame of 64 KiB holds it', () => {
    assert.equal(CONTENT_ID.byteLength, 36)
    assert.ok(handshakeMessageBytes(36, LARGEST_INLINE, LARGEST_INLINE / 8) <= MAX_CONTROL_FRAME)
    assert.ok(handshakeMessageBytes(36, LARGEST_INLINE + 1, LARGEST_INLINE / 8 + 1) > MAX_CONTROL_FRAME)
    assert.equal(bitfieldFitsInHandshake(36, LARGEST_INLINE), true)
    assert.equal(bitfieldFitsInHandshake(36, LARGEST_INLINE + 1), false)
    assert.equal(bitfieldFitsInHandshake(36, 0), true)
  })

  it('handshakeMessages: one message while it fits; past that, an empty bitfield and parts that are the bitfield, each frame within the cap', () => {
    const small = handshakeMessages(CONTENT_ID, 12, Uint8Array.of(0xff, 0xf0))
    assert.equal(small.length, 1)
    assert.deepEqual([...small[0].handshake?.bitfield ?? []], [0xff, 0xf0])

    const pieceCount = 8_388_600
    const bitfield = randomBytes(pieceCount / 8)
    const large = handshakeMessages(CONTENT_ID, pieceCount, bitfield)
    assert.equal(large[0].handshake?.bitfield.byteLength, 0)
    assert.equal(large[0].handshake?.pieceCount, pieceCount)
    const parts = large.slice(1).map(m => m.bitfieldPart?.data ?? assert.fail('not a part'))
    assert.equal(parts.length, Math.ceil(bitfield.byteLength / BITFIELD_PART_BYTES))
    assert.deepEqual(Buffer.concat(parts), bitfield)
    for (const message of large) assert.ok(Message.encode(message).byteLength <= MAX_CONTROL_FRAME)
  })

  it('the reader puts the parts back together and hands on the bitfield once, whole', () => {
    const pieceCount = 600_003
    const bitfield = randomBytes(Math.ceil(pieceCount / 8))
    bitfield[bitfield.byteLength - 1] &= 0xe0
    const { reader: r, headers, bitfields } = reader(pieceCount)
    const messages = handshakeMessages(CONTENT_ID, pieceCount, bitfield)
    for (const message of messages.slice(0, -1)) r.take(message)
    assert.deepEqual(headers, [[pieceCount]])
    assert.equal(bitfields.length, 0)
    r.take(messages[messages.length - 1])
    assert.equal(bitfields.length, 1)
    assert.deepEqual(Buffer.from(bitfields[0]), bitfield)
    assert.throws(() => { r.take({ have: { index: 0 } }) }, { name: 'ProtocolViolationError' })
  })

  it('a refused handshake allocates nothing and takes nothing more', () => {
    const { reader: r, bitfields } = reader(undefined)
    r.take({ handshake: { contentId: CONTENT_ID as Uint8Array<ArrayBuffer>, pieceCount: 0xffffffff, bitfield: new Uint8Array(0) } })
    assert.equal(bitfields.length, 0)
    assert.throws(() => { r.take({ bitfieldPart: { data: new Uint8Array(1) as Uint8Array<ArrayBuffer> } }) }, { name: 'ProtocolViolationError' })
  })

  describe('breaches', () => {
    const pieceCount = 600_000
    const header = (bitfield = new Uint8Array(0)): Message => ({ handshake: { contentId: CONTENT_ID as Uint8Array<ArrayBuffer>, pieceCount, bitfield: bitfield as Uint8Array<ArrayBuffer> } })
    const part = (bytes: number, fill = 0): Message => ({ bitfieldPart: { data: new Uint8Array(bytes).fill(fill) as Uint8Array<ArrayBuffer> } })
    const cases: Array<[string, Message[], RegExp]> = [
      ['a first message that is not a handshake', [part(10)], /handshake first/],
      ['a piece count other than the one accepted', [{ handshake: { contentId: CONTENT_ID as Uint8Array<ArrayBuffer>, pieceCount: pieceCount + 8, bitfield: new Uint8Array(0) } }], /600008 pieces where the manifest has 600000/],
      ['a bitfield inside a handshake too large for one frame', [header(new Uint8Array(pieceCount / 8))], /comes in parts/],
      ['an empty part', [header(), part(0)], /part of 0 bytes/],
      ['parts past the bitfield\'s end', [header(), part(BITFIELD_PART_BYTES), part(BITFIELD_PART_BYTES), part(pieceCount / 8 - 2 * BITFIELD_PART_BYTES + 1)], /part of \d+ bytes where \d+ are left/],
      ['another message before the bitfield is whole', [header(), part(100), { have: { index: 1 } }], /rest of the bitfield/]
    ]
    for (const [what, messages, why] of cases) {
      it(what, () => {
        const { reader: r, bitfields } = reader(pieceCount)
        const last = messages[messages.length - 1]
        for (const message of messages.slice(0, -1)) r.take(message)
        assert.throws(() => { r.take(last) }, (err: Error) => err.name === 'ProtocolViolationError' && why.test(err.message))
        assert.equal(bitfields.length, 0)
      })
    }

    it('a bit set past the last piece in the last part', () => {
      const count = 600_003
      const { reader: r, bitfields } = reader(count)
      const bytes = Math.ceil(count / 8)
      r.take({ handshake: { contentId: CONTENT_ID as Uint8Array<ArrayBuffer>, pieceCount: count, bitfield: new Uint8Array(0) } })
      r.take(part(bytes - 1))
      assert.throws(() => { r.take(part(1, 0x01)) }, /past the last piece/)
      assert.equal(bitfields.length, 0)
    })
  })
})
