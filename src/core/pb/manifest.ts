import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ManifestFile {
  path: string
  size: number
}

export namespace ManifestFile {
  let _codec: Codec<ManifestFile>

  export const codec = (): Codec<ManifestFile> => {
    if (_codec == null) {
      _codec = message<ManifestFile>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.path != null && obj.path !== '')) {
          w.uint32(10)
          w.string(obj.path)
        }

        if ((obj.size != null && obj.size !== 0)) {
          w.uint32(16)
          w.uint64Number(obj.size)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          path: '',
          size: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.path = reader.string()
              break
            }
            case 2: {
              obj.size = reader.uint64Number()
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
                field: `${prefix}.path`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.size`,
                value: reader.uint64Number()
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

  export interface ManifestFilePathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface ManifestFileSizeFieldEvent {
    field: '$.size'
    value: number
  }

  export function encode (obj: Partial<ManifestFile>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ManifestFile.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ManifestFile>): ManifestFile {
    return decodeMessage(buf, ManifestFile.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ManifestFile>): Generator<ManifestFilePathFieldEvent | ManifestFileSizeFieldEvent> {
    return streamMessage(buf, ManifestFile.codec(), opts)
  }
}

export interface Manifest {
  version: number
  name: string
  directory: boolean
  pieceSize: number
  files: ManifestFile[]
  pieceHashes: Uint8Array<ArrayBuffer>
}

export namespace Manifest {
  let _codec: Codec<Manifest>

  export const codec = (): Codec<Manifest> => {
    if (_codec == null) {
      _codec = message<Manifest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.version != null && obj.version !== 0)) {
          w.uint32(8)
          w.uint32(obj.version)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(18)
          w.string(obj.name)
        }

        if ((obj.directory != null && obj.directory !== false)) {
          w.uint32(24)
          w.bool(obj.directory)
        }

        if ((obj.pieceSize != null && obj.pieceSize !== 0)) {
          w.uint32(32)
          w.uint32(obj.pieceSize)
        }

        if (obj.files != null && obj.files.length > 0) {
          for (const value of obj.files) {
            w.uint32(42)
            ManifestFile.codec().encode(value, w)
          }
        }

        if ((obj.pieceHashes != null && obj.pieceHashes.byteLength > 0)) {
          w.uint32(50)
          w.bytes(obj.pieceHashes)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          version: 0,
          name: '',
          directory: false,
          pieceSize: 0,
          files: [],
          pieceHashes: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.version = reader.uint32()
              break
            }
            case 2: {
              obj.name = reader.string()
              break
            }
            case 3: {
              obj.directory = reader.bool()
              break
            }
            case 4: {
              obj.pieceSize = reader.uint32()
              break
            }
            case 5: {
              if (opts.limits?.files != null && obj.files.length === opts.limits.files) {
                throw new MaxLengthError('Decode error - repeated field "files" had too many elements')
              }

              obj.files.push(ManifestFile.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.files$
              }))
              break
            }
            case 6: {
              obj.pieceHashes = reader.bytes()
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
        const obj = {
          files: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.version`,
                value: reader.uint32()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.directory`,
                value: reader.bool()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.pieceSize`,
                value: reader.uint32()
              }
              break
            }
            case 5: {
              if (opts.limits?.files != null && obj.files === opts.limits.files) {
                throw new MaxLengthError('Streaming decode error - repeated field "files" had too many elements')
              }

              for (const evt of ManifestFile.codec().stream(reader, reader.uint32(), `${prefix}.files[]`, {
                limits: opts.limits?.files$
              })) {
                yield {
                  ...evt,
                  index: obj.files
                }
              }

              obj.files++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.pieceHashes`,
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

  export interface ManifestVersionFieldEvent {
    field: '$.version'
    value: number
  }

  export interface ManifestNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface ManifestDirectoryFieldEvent {
    field: '$.directory'
    value: boolean
  }

  export interface ManifestPieceSizeFieldEvent {
    field: '$.pieceSize'
    value: number
  }

  export interface ManifestFilesPathFieldEvent {
    field: '$.files[].path'
    value: string
    index: number
  }

  export interface ManifestFilesSizeFieldEvent {
    field: '$.files[].size'
    value: number
    index: number
  }

  export interface ManifestPieceHashesFieldEvent {
    field: '$.pieceHashes'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<Manifest>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Manifest.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Manifest {
    return decodeMessage(buf, Manifest.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Manifest>): Generator<ManifestVersionFieldEvent | ManifestNameFieldEvent | ManifestDirectoryFieldEvent | ManifestPieceSizeFieldEvent | ManifestFilesPathFieldEvent | ManifestFilesSizeFieldEvent | ManifestPieceHashesFieldEvent> {
    return streamMessage(buf, Manifest.codec(), opts)
  }
}
