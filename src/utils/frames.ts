import * as varint from 'uint8-varint'
import { Uint8ArrayList } from 'uint8arraylist'
import { StreamStateError } from '@libp2p/interface'
import type { Stream } from '@libp2p/interface'

/** A varint length prefix and the bytes, without copying the bytes. */
export function encodeFrame (bytes: Uint8Array): Uint8ArrayList {
  return new Uint8ArrayList(varint.encode(bytes.byteLength), bytes)
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
