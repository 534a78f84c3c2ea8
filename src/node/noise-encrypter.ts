import { noise } from '@chainsafe/libp2p-noise'
import { noiseCrypto } from './noise-crypto.js'
import type { NoiseComponents, NoiseExtensions } from '@chainsafe/libp2p-noise'
import type { ConnectionEncrypter, SecuredConnection } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

/** Bytes of a Noise frame's length prefix (a big-endian uint16). */
const LENGTH_BYTES = 2

/**
 * A Noise frame's length, or 0 while its prefix has not all arrived. Noise's own reader throws
 * a RangeError there, which its decoder catches to stop: a thrown error, stack trace and all,
 * at the end of nearly every read of the socket (2.9% of a 17-node swarm's CPU). A length of
 * 0 stops the decoder as well: it waits for the prefix's 2 bytes, which are not there yet.
 */
export function frameLength (data: Uint8Array | Uint8ArrayList): number {
  if (data.byteLength < LENGTH_BYTES) return 0
  return data instanceof Uint8Array ? (data[0] << 8) | data[1] : data.getUint16(0)
}

interface FrameDecoder { lengthDecoder?: unknown }

/** Noise's connection keeps its frame decoder as `decoder` (v17); anything else is left alone. */
function readFramesQuietly (secured: SecuredConnection<NoiseExtensions>): SecuredConnection<NoiseExtensions> {
  const decoder = (secured.connection as unknown as { decoder?: FrameDecoder }).decoder
  if (typeof decoder?.lengthDecoder === 'function') decoder.lengthDecoder = frameLength
  return secured
}

/** Noise with Shoal's cipher calls (noise-crypto.ts) and a frame reader that does not throw. */
export function noiseEncrypter (): (components: NoiseComponents) => ConnectionEncrypter<NoiseExtensions> {
  const make = noise({ crypto: noiseCrypto })
  return (components) => {
    const encrypter = make(components)
    const secureInbound = encrypter.secureInbound.bind(encrypter)
    const secureOutbound = encrypter.secureOutbound.bind(encrypter)
    encrypter.secureInbound = async (connection, options) => readFramesQuietly(await secureInbound(connection, options))
    encrypter.secureOutbound = async (connection, options) => readFramesQuietly(await secureOutbound(connection, options))
    return encrypter
  }
}
