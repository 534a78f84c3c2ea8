import { pbStream } from '@libp2p/utils'
import { matchesContentId, parseContentId } from '../../src/core/content-id.js'
import { ManifestMismatchError, PeerStalledError, ProtocolViolationError, UnknownContentError } from '../../src/errors.js'
import { CHUNK_SIZE, DEFAULT_TIMEOUT, FIRST_BYTE_TIMEOUT, MAX_INBOUND_STREAMS, MAX_OUTBOUND_STREAMS, MAX_REQUEST_FRAME, MIN_RATE, PROTOCOL_NAME, PROTOCOL_PREFIX, PROTOCOL_VERSION } from './constants.js'
import { Chunk, Request, Response, Status } from './pb/manifest-exchange.js'
import { ReceiveBuffer } from './receive-buffer.js'
import { openPreferredStream } from '../../src/utils/open-stream.js'
import type { ManifestExchange, ManifestExchangeComponents, ManifestExchangeInit } from './index.js'
import type { ProtobufDecoder, ProtobufStream } from '@libp2p/utils'
import type { CID } from 'multiformats/cid'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'

export class ManifestExchangeClass implements ManifestExchange {
  readonly [Symbol.toStringTag] = 'shoal:manifest-exchange'
  readonly protocol: string
  private readonly components: ManifestExchangeComponents
  private readonly log: Logger
  private readonly maxManifestSize: number
  private readonly timeout: number
  private readonly firstByteTimeout: number
  private readonly minRate: number
  private started = false

  constructor (components: ManifestExchangeComponents, init: ManifestExchangeInit) {
    this.components = components
    this.log = components.logger.forComponent('shoal:manifest-exchange')
    this.protocol = `/${init.protocolPrefix ?? PROTOCOL_PREFIX}/${PROTOCOL_NAME}/${PROTOCOL_VERSION}`
    this.maxManifestSize = init.maxManifestSize
    this.timeout = init.timeout ?? DEFAULT_TIMEOUT
    this.firstByteTimeout = init.firstByteTimeout ?? FIRST_BYTE_TIMEOUT
    this.minRate = init.minRate ?? MIN_RATE
  }

  async start (): Promise<void> {
    await this.components.registrar.handle(this.protocol, async (stream, connection) => {
      await this.serve(stream, connection).catch(err => {
        this.log.error('serving %p failed - %e', connection.remotePeer, err)
        stream.abort(err)
      })
    }, { maxInboundStreams: MAX_INBOUND_STREAMS, maxOutboundStreams: MAX_OUTBOUND_STREAMS, runOnLimitedConnection: true })
    this.started = true
  }

  async stop (): Promise<void> {
    this.started = false
    await this.components.registrar.unhandle(this.protocol)
  }

  isStarted (): boolean {
    return this.started
  }

  async fetch (peer: PeerId, cid: CID, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
    const exchange = AbortSignal.timeout(this.timeout)
    const signal = AbortSignal.any([exchange, ...(options.signal === undefined ? [] : [options.signal])])
    const stream = await openPreferredStream(this.components.connectionManager, peer, this.protocol, { signal })
    let bytes: Uint8Array
    try {
      bytes = await this.receive(stream, cid, signal)
    } catch (err) {
      stream.abort(err as Error)
      if (options.signal?.aborted === true) throw options.signal.reason
      if (exchange.aborted) throw new PeerStalledError(`manifest not complete within ${this.timeout} ms`)
      throw err
    }
    // the bytes are verified: a peer slow to close costs us nothing more
    stream.close({ signal }).catch(err => { stream.abort(err) })
    return bytes
  }

  private async receive (stream: Stream, cid: CID, signal: AbortSignal): Promise<Uint8Array> {
    const pb = pbStream(stream, { maxDataLength: CHUNK_SIZE + 64 })
    await pb.write({ contentId: cid.bytes }, Request, { signal })
    const response = await readWithin(pb, Response, signal, this.firstByteTimeout, () => `no answer to a manifest request within ${this.firstByteTimeout} ms`)
    if (response.status === Status.NOT_FOUND) throw new UnknownContentError(`peer does not have ${cid.toString()}`)
    if (response.size > this.maxManifestSize) {
      throw new ProtocolViolationError(`peer offers a manifest of ${response.size} bytes, over the limit of ${this.maxManifestSize}`)
    }
    // grows with what arrives: what a peer announces costs nothing until it sends it
    const buffer = new ReceiveBuffer(response.size)
    const respondedAt = Date.now()
    while (!buffer.complete) {
      const due = respondedAt + (buffer.length + CHUNK_SIZE) * 1000 / this.minRate
      const tooSlow = (): string => `manifest coming slower than ${this.minRate} B/s: ${buffer.length} of ${response.size} bytes in ${Date.now() - respondedAt} ms`
      const { data } = await readWithin(pb, Chunk, signal, due - Date.now(), tooSlow)
      if (!buffer.append(data)) throw new ProtocolViolationError('manifest chunk out of bounds')
    }
    const bytes = buffer.bytes()
    if (!matchesContentId(cid, bytes)) throw new ManifestMismatchError(`manifest from peer does not hash to ${cid.toString()}`)
    return bytes
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const signal = AbortSignal.timeout(this.timeout)
    const pb = pbStream(stream, { maxDataLength: MAX_REQUEST_FRAME })
    const request = await readMessage(pb, Request, signal)
    let bytes: Uint8Array | undefined
    try {
      bytes = this.components.trading.manifestBytes(parseContentId(request.contentId))
    } catch {
      throw new ProtocolViolationError('request with a malformed content id')
    }
    if (bytes === undefined) {
      await pb.write({ status: Status.NOT_FOUND, size: 0 }, Response, { signal })
    } else {
      this.log('sending manifest of %d bytes to %p', bytes.byteLength, connection.remotePeer)
      await pb.write({ status: Status.OK, size: bytes.byteLength }, Response, { signal })
      for (let offset = 0; offset < bytes.byteLength; offset += CHUNK_SIZE) {
        await pb.write({ data: bytes.subarray(offset, offset + CHUNK_SIZE) as Uint8Array<ArrayBuffer> }, Chunk, { signal })
      }
    }
    await stream.close({ signal })
  }
}

/** One frame within `ms`; a peer that takes longer fails the read with PeerStalledError saying `stalled()`. */
async function readWithin<T> (pb: ProtobufStream<Stream>, codec: { decode: ProtobufDecoder<T> }, signal: AbortSignal, ms: number, stalled: () => string): Promise<T> {
  const late = new AbortController()
  let immediate: NodeJS.Immediate | undefined
  // the verdict waits for the I/O already in: after a pause of our own event loop, the
  // timer and the peer's answer are both due, and the answer is not the peer's fault
  const timer = setTimeout(() => { immediate = setImmediate(() => { late.abort() }) }, Math.max(0, ms))
  try {
    return await readMessage(pb, codec, AbortSignal.any([signal, late.signal]))
  } catch (err) {
    if (late.signal.aborted && !signal.aborted) throw new PeerStalledError(stalled())
    throw err
  } finally {
    clearTimeout(timer)
    if (immediate !== undefined) clearImmediate(immediate)
  }
}

/**
 * One frame, decoded. The codec's own failures on bytes a peer made up (RangeError, TypeError
 * or a plain Error from protons) become ProtocolViolationError: found by fuzzing, a truncated
 * Response escaped as a RangeError. Stream errors (EOF, reset, abort) pass through as they are.
 */
async function readMessage<T> (pb: ProtobufStream<Stream>, codec: { decode: ProtobufDecoder<T> }, signal: AbortSignal): Promise<T> {
  try {
    return await pb.read<T>(codec, { signal })
  } catch (err) {
    const name = (err as Error).name
    if (name === 'RangeError' || name === 'TypeError' || name === 'Error') throw new ProtocolViolationError(`undecodable message: ${(err as Error).message}`)
    throw err
  }
}
