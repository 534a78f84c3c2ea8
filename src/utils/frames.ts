import { LengthPrefixedDecoder } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { StreamStateError } from '@libp2p/interface'
import type { Stream } from '@libp2p/interface'

/** A varint length prefix and the bytes, without copying the bytes. */
export function encodeFrame (bytes: Uint8Array): Uint8ArrayList {
  return new Uint8ArrayList(varint.encode(bytes.byteLength), bytes)
}

export interface FrameListener {
  /** One whole frame, contiguous. May throw: the stream is then aborted with that error. */
  onFrame(frame: Uint8Array): void
  /** The stream ended, cleanly (no error) or not. Called once. */
  onEnd(err?: Error): void
}

/**
 * Deliver each length-prefixed frame of a stream to `listener`, synchronously as bytes
 * arrive. Frames over `maxFrameLength` abort the stream before anything is buffered for them.
 */
export function readFrames (stream: Stream, maxFrameLength: number, listener: FrameListener): void {
  const decoder = new LengthPrefixedDecoder({ maxDataLength: maxFrameLength, maxBufferSize: maxFrameLength * 2 + 65536 })
  let ended = false
  const end = (err?: Error): void => {
    if (ended) return
    ended = true
    listener.onEnd(err)
  }
  stream.addEventListener('message', (evt) => {
    if (ended) return
    try {
      for (const frame of decoder.decode(evt.data)) listener.onFrame(frame.subarray())
    } catch (err) {
      stream.abort(err as Error)
      end(err as Error)
    }
  })
  stream.addEventListener('close', (evt) => { end(evt.error) })
  stream.addEventListener('remoteCloseWrite', () => { end() })
}

/**
 * Wait until the stream can take more data. Uses the 'drain' event: `onDrain()` was measured
 * to give no backpressure after its first use.
 */
export async function waitForDrain (stream: Stream, signal?: AbortSignal): Promise<void> {
  if (!stream.writableNeedsDrain) return
  await new Promise<void>((resolve, reject) => {
    const cleanup = (): void => {
      stream.removeEventListener('drain', onDrain)
      stream.removeEventListener('close', onClose)
      signal?.removeEventListener('abort', onAbort)
    }
    const onDrain = (): void => { cleanup(); resolve() }
    const onClose = (): void => { cleanup(); reject(new StreamStateError('stream closed while waiting to send')) }
    const onAbort = (): void => { cleanup(); reject(signal?.reason) }
    stream.addEventListener('drain', onDrain)
    stream.addEventListener('close', onClose)
    signal?.addEventListener('abort', onAbort)
  })
}
