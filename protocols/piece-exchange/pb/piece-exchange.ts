/* eslint-disable require-yield */

import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Handshake {
  contentId: Uint8Array<ArrayBuffer>
  pieceCount: number
  bitfield: Uint8Array<ArrayBuffer>
}

export namespace Handshake {
  let _codec: Codec<Handshake>

  export const codec = (): Codec<Handshake> => {
    if (_codec == null) {
      _codec = message<Handshake>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.contentId != null && obj.contentId.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.contentId)
        }

        if ((obj.pieceCount != null && obj.pieceCount !== 0)) {
          w.uint32(16)
          w.uint32(obj.pieceCount)
        }

        if ((obj.bitfield != null && obj.bitfield.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.bitfield)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          contentId: uint8ArrayAlloc(0),
          pieceCount: 0,
          bitfield: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.contentId = reader.bytes()
              break
            }
            case 2: {
              obj.pieceCount = reader.uint32()
              break
            }
            case 3: {
              obj.bitfield = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.contentId`,
                value: reader.bytes()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.pieceCount`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.bitfield`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HandshakeContentIdFieldEvent {
    field: '$.contentId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface HandshakePieceCountFieldEvent {
    field: '$.pieceCount'
    value: number
  }

  export interface HandshakeBitfieldFieldEvent {
    field: '$.bitfield'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Handshake>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Handshake.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Handshake>): Handshake {
    return decodeMessage(buf, Handshake.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Handshake>): Generator<HandshakeContentIdFieldEvent | HandshakePieceCountFieldEvent | HandshakeBitfieldFieldEvent> {
    return streamMessage(buf, Handshake.codec(), opts)
  }
}

export interface BitfieldPart {
  data: Uint8Array<ArrayBuffer>
}

export namespace BitfieldPart {
  let _codec: Codec<BitfieldPart>

  export const codec = (): Codec<BitfieldPart> => {
    if (_codec == null) {
      _codec = message<BitfieldPart>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.data = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface BitfieldPartDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<BitfieldPart>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, BitfieldPart.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BitfieldPart>): BitfieldPart {
    return decodeMessage(buf, BitfieldPart.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BitfieldPart>): Generator<BitfieldPartDataFieldEvent> {
    return streamMessage(buf, BitfieldPart.codec(), opts)
  }
}

export interface Have {
  index: number
}

export namespace Have {
  let _codec: Codec<Have>

  export const codec = (): Codec<Have> => {
    if (_codec == null) {
      _codec = message<Have>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface HaveIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export function encode (obj: Partial<Have>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Have.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Have>): Have {
    return decodeMessage(buf, Have.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Have>): Generator<HaveIndexFieldEvent> {
    return streamMessage(buf, Have.codec(), opts)
  }
}

export interface Request {
  index: number
}

export namespace Request {
  let _codec: Codec<Request>

  export const codec = (): Codec<Request> => {
    if (_codec == null) {
      _codec = message<Request>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RequestIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export function encode (obj: Partial<Request>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Request.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Request {
    return decodeMessage(buf, Request.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Request>): Generator<RequestIndexFieldEvent> {
    return streamMessage(buf, Request.codec(), opts)
  }
}

export interface Cancel {
  index: number
}

export namespace Cancel {
  let _codec: Codec<Cancel>

  export const codec = (): Codec<Cancel> => {
    if (_codec == null) {
      _codec = message<Cancel>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface CancelIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export function encode (obj: Partial<Cancel>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Cancel.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Cancel>): Cancel {
    return decodeMessage(buf, Cancel.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Cancel>): Generator<CancelIndexFieldEvent> {
    return streamMessage(buf, Cancel.codec(), opts)
  }
}

export enum RejectCode {
  NOT_AVAILABLE = 'NOT_AVAILABLE',
  OVERLOADED = 'OVERLOADED',
  CHOKED = 'CHOKED',
  ELSEWHERE = 'ELSEWHERE'
}

enum __RejectCodeValues {
  NOT_AVAILABLE = 0,
  OVERLOADED = 1,
  CHOKED = 2,
  ELSEWHERE = 3
}

export namespace RejectCode {
  export const codec = (): Codec<RejectCode> => {
    return enumeration<RejectCode>(__RejectCodeValues)
  }
}

export interface Reject {
  index: number
  code: RejectCode
}

export namespace Reject {
  let _codec: Codec<Reject>

  export const codec = (): Codec<Reject> => {
    if (_codec == null) {
      _codec = message<Reject>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if (obj.code != null && __RejectCodeValues[obj.code] !== 0) {
          w.uint32(16)
          RejectCode.codec().encode(obj.code, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          code: RejectCode.NOT_AVAILABLE
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.code = RejectCode.codec().decode(reader)
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.code`,
                value: RejectCode.codec().decode(reader)
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface RejectIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface RejectCodeFieldEvent {
    field: '$.code'
    value: RejectCode
  }

  export function encode (obj: Partial<Reject>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Reject.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reject>): Reject {
    return decodeMessage(buf, Reject.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reject>): Generator<RejectIndexFieldEvent | RejectCodeFieldEvent> {
    return streamMessage(buf, Reject.codec(), opts)
  }
}

export interface Piece {
  index: number
  offset: number
  length: number
}

export namespace Piece {
  let _codec: Codec<Piece>

  export const codec = (): Codec<Piece> => {
    if (_codec == null) {
      _codec = message<Piece>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.index != null && obj.index !== 0)) {
          w.uint32(8)
          w.uint32(obj.index)
        }

        if ((obj.offset != null && obj.offset !== 0)) {
          w.uint32(16)
          w.uint32(obj.offset)
        }

        if ((obj.length != null && obj.length !== 0)) {
          w.uint32(24)
          w.uint32(obj.length)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          index: 0,
          offset: 0,
          length: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.index = reader.uint32()
              break
            }
            case 2: {
              obj.offset = reader.uint32()
              break
            }
            case 3: {
              obj.length = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.index`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.offset`,
                value: reader.uint32()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.length`,
                value: reader.uint32()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface PieceIndexFieldEvent {
    field: '$.index'
    value: number
  }

  export interface PieceOffsetFieldEvent {
    field: '$.offset'
    value: number
  }

  export interface PieceLengthFieldEvent {
    field: '$.length'
    value: number
  }

  export function encode (obj: Partial<Piece>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Piece.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Piece>): Piece {
    return decodeMessage(buf, Piece.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Piece>): Generator<PieceIndexFieldEvent | PieceOffsetFieldEvent | PieceLengthFieldEvent> {
    return streamMessage(buf, Piece.codec(), opts)
  }
}

export interface Choke {}

export namespace Choke {
  let _codec: Codec<Choke>

  export const codec = (): Codec<Choke> => {
    if (_codec == null) {
      _codec = message<Choke>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export function encode (obj: Partial<Choke>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Choke.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Choke>): Choke {
    return decodeMessage(buf, Choke.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Choke>): Generator<{}> {
    return streamMessage(buf, Choke.codec(), opts)
  }
}

export interface Unchoke {}

export namespace Unchoke {
  let _codec: Codec<Unchoke>

  export const codec = (): Codec<Unchoke> => {
    if (_codec == null) {
      _codec = message<Unchoke>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export function encode (obj: Partial<Unchoke>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Unchoke.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Unchoke>): Unchoke {
    return decodeMessage(buf, Unchoke.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Unchoke>): Generator<{}> {
    return streamMessage(buf, Unchoke.codec(), opts)
  }
}

export enum ErrorCode {
  UNKNOWN_CONTENT = 'UNKNOWN_CONTENT',
  SWARM_FULL = 'SWARM_FULL',
  PROTOCOL_VIOLATION = 'PROTOCOL_VIOLATION',
  SHUTTING_DOWN = 'SHUTTING_DOWN',
  DUPLICATE = 'DUPLICATE'
}

enum __ErrorCodeValues {
  UNKNOWN_CONTENT = 0,
  SWARM_FULL = 1,
  PROTOCOL_VIOLATION = 2,
  SHUTTING_DOWN = 3,
  DUPLICATE = 4
}

export namespace ErrorCode {
  export const codec = (): Codec<ErrorCode> => {
    return enumeration<ErrorCode>(__ErrorCodeValues)
  }
}

export interface Error {
  code: ErrorCode
}

export namespace Error {
  let _codec: Codec<Error>

  export const codec = (): Codec<Error> => {
    if (_codec == null) {
      _codec = message<Error>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.code != null && __ErrorCodeValues[obj.code] !== 0) {
          w.uint32(8)
          ErrorCode.codec().encode(obj.code, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          code: ErrorCode.UNKNOWN_CONTENT
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.code = ErrorCode.codec().decode(reader)
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.code`,
                value: ErrorCode.codec().decode(reader)
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ErrorCodeFieldEvent {
    field: '$.code'
    value: ErrorCode
  }

  export function encode (obj: Partial<Error>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Error.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Error>): Error {
    return decodeMessage(buf, Error.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Error>): Generator<ErrorCodeFieldEvent> {
    return streamMessage(buf, Error.codec(), opts)
  }
}

export interface Message {
  handshake?: Handshake
  have?: Have
  request?: Request
  cancel?: Cancel
  reject?: Reject
  piece?: Piece
  error?: Error
  choke?: Choke
  unchoke?: Unchoke
  bitfieldPart?: BitfieldPart
}

export namespace Message {
  let _codec: Codec<Message>

  export const codec = (): Codec<Message> => {
    if (_codec == null) {
      _codec = message<Message>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.handshake != null) {
          w.uint32(10)
          Handshake.codec().encode(obj.handshake, w)
        }

        if (obj.have != null) {
          w.uint32(18)
          Have.codec().encode(obj.have, w)
        }

        if (obj.request != null) {
          w.uint32(26)
          Request.codec().encode(obj.request, w)
        }

        if (obj.cancel != null) {
          w.uint32(34)
          Cancel.codec().encode(obj.cancel, w)
        }

        if (obj.reject != null) {
          w.uint32(42)
          Reject.codec().encode(obj.reject, w)
        }

        if (obj.piece != null) {
          w.uint32(50)
          Piece.codec().encode(obj.piece, w)
        }

        if (obj.error != null) {
          w.uint32(58)
          Error.codec().encode(obj.error, w)
        }

        if (obj.choke != null) {
          w.uint32(66)
          Choke.codec().encode(obj.choke, w)
        }

        if (obj.unchoke != null) {
          w.uint32(74)
          Unchoke.codec().encode(obj.unchoke, w)
        }

        if (obj.bitfieldPart != null) {
          w.uint32(82)
          BitfieldPart.codec().encode(obj.bitfieldPart, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {}

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.handshake = Handshake.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.handshake
              })
              break
            }
            case 2: {
              obj.have = Have.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.have
              })
              break
            }
            case 3: {
              obj.request = Request.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.request
              })
              break
            }
            case 4: {
              obj.cancel = Cancel.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.cancel
              })
              break
            }
            case 5: {
              obj.reject = Reject.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.reject
              })
              break
            }
            case 6: {
              obj.piece = Piece.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.piece
              })
              break
            }
            case 7: {
              obj.error = Error.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.error
              })
              break
            }
            case 8: {
              obj.choke = Choke.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.choke
              })
              break
            }
            case 9: {
              obj.unchoke = Unchoke.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.unchoke
              })
              break
            }
            case 10: {
              obj.bitfieldPart = BitfieldPart.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.bitfieldPart
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield * Handshake.codec().stream(reader, reader.uint32(), `${prefix}.handshake`, {
                limits: opts.limits?.handshake
              })

              break
            }
            case 2: {
              yield * Have.codec().stream(reader, reader.uint32(), `${prefix}.have`, {
                limits: opts.limits?.have
              })

              break
            }
            case 3: {
              yield * Request.codec().stream(reader, reader.uint32(), `${prefix}.request`, {
                limits: opts.limits?.request
              })

              break
            }
            case 4: {
              yield * Cancel.codec().stream(reader, reader.uint32(), `${prefix}.cancel`, {
                limits: opts.limits?.cancel
              })

              break
            }
            case 5: {
              yield * Reject.codec().stream(reader, reader.uint32(), `${prefix}.reject`, {
                limits: opts.limits?.reject
              })

              break
            }
            case 6: {
              yield * Piece.codec().stream(reader, reader.uint32(), `${prefix}.piece`, {
                limits: opts.limits?.piece
              })

              break
            }
            case 7: {
              yield * Error.codec().stream(reader, reader.uint32(), `${prefix}.error`, {
                limits: opts.limits?.error
              })

              break
            }
            case 8: {
              yield * Choke.codec().stream(reader, reader.uint32(), `${prefix}.choke`, {
                limits: opts.limits?.choke
              })

              break
            }
            case 9: {
              yield * Unchoke.codec().stream(reader, reader.uint32(), `${prefix}.unchoke`, {
                limits: opts.limits?.unchoke
              })

              break
            }
            case 10: {
              yield * BitfieldPart.codec().stream(reader, reader.uint32(), `${prefix}.bitfieldPart`, {
                limits: opts.limits?.bitfieldPart
              })

              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface MessageHandshakeContentIdFieldEvent {
    field: '$.handshake.contentId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MessageHandshakePieceCountFieldEvent {
    field: '$.handshake.pieceCount'
    value: number
  }

  export interface MessageHandshakeBitfieldFieldEvent {
    field: '$.handshake.bitfield'
    value: Uint8Array<ArrayBuffer>
  }

  export interface MessageHaveIndexFieldEvent {
    field: '$.have.index'
    value: number
  }

  export interface MessageRequestIndexFieldEvent {
    field: '$.request.index'
    value: number
  }

  export interface MessageCancelIndexFieldEvent {
    field: '$.cancel.index'
    value: number
  }

  export interface MessageRejectIndexFieldEvent {
    field: '$.reject.index'
    value: number
  }

  export interface MessageRejectCodeFieldEvent {
    field: '$.reject.code'
    value: RejectCode
  }

  export interface MessagePieceIndexFieldEvent {
    field: '$.piece.index'
    value: number
  }

  export interface MessagePieceOffsetFieldEvent {
    field: '$.piece.offset'
    value: number
  }

  export interface MessagePieceLengthFieldEvent {
    field: '$.piece.length'
    value: number
  }

  export interface MessageErrorCodeFieldEvent {
    field: '$.error.code'
    value: ErrorCode
  }

  export interface MessageBitfieldPartDataFieldEvent {
    field: '$.bitfieldPart.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Message>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Message.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Message>): Message {
    return decodeMessage(buf, Message.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Message>): Generator<MessageHandshakeContentIdFieldEvent | MessageHandshakePieceCountFieldEvent | MessageHandshakeBitfieldFieldEvent | MessageHaveIndexFieldEvent | MessageRequestIndexFieldEvent | MessageCancelIndexFieldEvent | MessageRejectIndexFieldEvent | MessageRejectCodeFieldEvent | MessagePieceIndexFieldEvent | MessagePieceOffsetFieldEvent | MessagePieceLengthFieldEvent | MessageErrorCodeFieldEvent | MessageBitfieldPartDataFieldEvent> {
    return streamMessage(buf, Message.codec(), opts)
  }
}
