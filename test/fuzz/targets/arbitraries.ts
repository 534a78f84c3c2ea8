/** Generators shared by the fuzz targets: piece-exchange messages and frame streams. */
import fc from 'fast-check'
import * as varint from 'uint8-varint'
import { Message } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { bytes } from '../target.js'

const index = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.nat({ max: 0xffffffff }))

const fields = {
  handshake: fc.record({ contentId: bytes(64), pieceCount: index, bitfield: bytes(16) }),
  have: fc.record({ index }),
  request: fc.record({ index }),
  cancel: fc.record({ index }),
  reject: fc.record({ index, code: fc.integer({ min: 0, max: 2 }) }),
  piece: fc.record({ index, offset: fc.oneof(fc.constantFrom(0, 256 * 1024), fc.nat({ max: 0xffffffff })), length: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.nat({ max: 0xffffffff })) }),
  error: fc.record({ code: fc.integer({ min: 0, max: 4 }) }),
  choke: fc.constant({}),
  unchoke: fc.constant({}),
  bitfieldPart: fc.record({ data: bytes(64) })
}

/** One field set, as an honest peer sends. */
export const singleMessage: fc.Arbitrary<Message> = fc.oneof(...Object.entries(fields).map(([key, value]) => value.map(v => ({ [key]: v }) as Message)))

/** Any piece-exchange message, including ones with several fields or none set. */
export const message: fc.Arbitrary<Message> = fc.oneof(singleMessage, fc.record(fields, { requiredKeys: [] }) as fc.Arbitrary<Message>)

/** A length-prefixed encoded message; the length may lie about the body or be padded (non-minimal). */
export const frame: fc.Arbitrary<Uint8Array> = fc.tuple(message, fc.option(fc.nat({ max: 70_000 }), { freq: 5 }), fc.integer({ min: 0, max: 9 }))
  .map(([m, lie, padding]) => {
    const body = Message.encode(m)
    const length = [...varint.encode(lie ?? body.byteLength)]
    // 1 in 10 frames: the same length in more varint bytes than it needs
    if (padding === 0) {
      length[length.length - 1] |= 0x80
      length.push(0x00)
    }
    return Uint8Array.from([...length, ...body])
  })

/** What a stream could carry: frames, raw runs, and noise, in any order. */
export const frameStream: fc.Arbitrary<Uint8Array> = fc.array(fc.oneof(
  { weight: 4, arbitrary: frame },
  { weight: 1, arbitrary: bytes(600) }
), { maxLength: 12 }).map(parts => Uint8Array.from(parts.flatMap(p => [...p])))
