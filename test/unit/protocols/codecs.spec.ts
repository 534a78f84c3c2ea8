import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Chunk, Request as ManifestRequest, Response as ManifestResponse, Status } from '../../../protocols/manifest-exchange/pb/manifest-exchange.js'
import { ErrorCode, Message, RejectCode } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { contentIdOf } from '../../../src/core/content-id.js'

const bytes = (n: number): Uint8Array<ArrayBuffer> => new Uint8Array(randomBytes(n))

/** The one field of a decoded Message that is set, by name. */
function setFields (message: Message): string[] {
  return Object.entries(message).filter(([, value]) => value !== undefined).map(([key]) => key)
}

describe('protocols: generated codecs', () => {
  describe('piece-exchange Message', () => {
    const cid = contentIdOf(Uint8Array.of(1, 2, 3)).bytes as Uint8Array<ArrayBuffer>
    const cases: Array<[string, Partial<Message>]> = [
      ['handshake', { handshake: { contentId: cid, pieceCount: 1234, bitfield: bytes(155) } }],
      ['handshake of an empty swarm view', { handshake: { contentId: cid, pieceCount: 0, bitfield: new Uint8Array(0) } }],
      ['have', { have: { index: 7 } }],
      ['have of piece 0', { have: { index: 0 } }],
      ['request', { request: { index: 2 ** 32 - 1 } }],
      ['cancel', { cancel: { index: 99 } }],
      ['reject NOT_AVAILABLE', { reject: { index: 3, code: RejectCode.NOT_AVAILABLE } }],
      ['reject OVERLOADED', { reject: { index: 4, code: RejectCode.OVERLOADED } }],
      ['piece header', { piece: { index: 5, offset: 256 * 1024, length: 1000 } }],
      ['piece header at offset 0', { piece: { index: 0, offset: 0, length: 262_144 } }],
      ...[ErrorCode.UNKNOWN_CONTENT, ErrorCode.SWARM_FULL, ErrorCode.PROTOCOL_VIOLATION, ErrorCode.SHUTTING_DOWN, ErrorCode.DUPLICATE]
        .map((code): [string, Partial<Message>] => [`error ${ErrorCode[code]}`, { error: { code } }])
    ]

    for (const [what, message] of cases) {
      it(`round-trips ${what}`, () => {
        const decoded = Message.decode(Message.encode(message))
        const [field] = Object.keys(message) as Array<keyof Message>
        assert.deepEqual(setFields(decoded), [field])
        assert.deepEqual(decoded[field], message[field])
      })
    }

    it('uses the field numbers of the .proto (wire compatibility)', () => {
      // field 2 (have), length 2, { field 1 varint 5 }
      assert.deepEqual(Message.encode({ have: { index: 5 } }), Uint8Array.of(0x12, 0x02, 0x08, 0x05))
      assert.deepEqual(Message.encode({ request: { index: 5 } }), Uint8Array.of(0x1a, 0x02, 0x08, 0x05))
      assert.deepEqual(Message.encode({ cancel: { index: 5 } }), Uint8Array.of(0x22, 0x02, 0x08, 0x05))
      assert.deepEqual(Message.encode({ reject: { index: 1, code: RejectCode.OVERLOADED } }), Uint8Array.of(0x2a, 0x04, 0x08, 0x01, 0x10, 0x01))
      assert.deepEqual(Message.encode({ error: { code: ErrorCode.DUPLICATE } }), Uint8Array.of(0x3a, 0x02, 0x08, 0x04))
      assert.equal(Message.encode({ handshake: { contentId: cid, pieceCount: 1, bitfield: Uint8Array.of(0x80) } })[0], 0x0a)
      assert.equal(Message.encode({ piece: { index: 1, offset: 0, length: 1 } })[0], 0x32)
    })

    it('an empty message decodes with no field set', () => {
      assert.deepEqual(setFields(Message.decode(new Uint8Array(0))), [])
    })

    it('skips fields it does not know (a newer peer)', () => {
      const known = Message.encode({ have: { index: 9 } })
      const withUnknown = Uint8Array.from([...known, 0x78, 0x01]) // field 15, varint 1
      assert.deepEqual(Message.decode(withUnknown).have, { index: 9 })
    })

    it('rejects truncated bytes', () => {
      const encoded = Message.encode({ handshake: { contentId: cid, pieceCount: 3, bitfield: Uint8Array.of(0xe0) } })
      assert.throws(() => Message.decode(encoded.subarray(0, encoded.length - 2)))
    })
  })

  describe('manifest-exchange', () => {
    it('round-trips a Request', () => {
      const contentId = contentIdOf(Uint8Array.of(9)).bytes as Uint8Array<ArrayBuffer>
      assert.deepEqual(ManifestRequest.decode(ManifestRequest.encode({ contentId })), { contentId })
    })

    it('round-trips a Response, found and not found', () => {
      for (const response of [{ status: Status.OK, size: 123_456 }, { status: Status.NOT_FOUND, size: 0 }, { status: Status.OK, size: 2 ** 32 - 1 }]) {
        assert.deepEqual(ManifestResponse.decode(ManifestResponse.encode(response)), response)
      }
    })

    it('a Response with nothing set is OK of size 0 (proto3 defaults)', () => {
      assert.deepEqual(ManifestResponse.decode(new Uint8Array(0)), { status: Status.OK, size: 0 })
    })

    it('round-trips a Chunk, empty or large', () => {
      for (const data of [new Uint8Array(0), bytes(1), bytes(70_000)]) {
        assert.deepEqual(Chunk.decode(Chunk.encode({ data })).data, data)
      }
    })
  })
})
