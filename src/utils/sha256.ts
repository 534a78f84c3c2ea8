import { webcrypto } from 'node:crypto'

/**
 * SHA-256 of `data` on libuv's thread pool (WebCrypto digests run off the main thread), so
 * verifying a piece does not hold up the event loop that moves the next ones.
 */
export async function sha256OffThread (data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await webcrypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>))
}
