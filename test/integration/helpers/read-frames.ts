import { LengthPrefixedDecoder } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'

// Frame reader for hostile test peers: Shoal's own protocols parse their streams themselves.

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

