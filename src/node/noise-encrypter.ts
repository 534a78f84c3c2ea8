import { noise } from '@chainsafe/libp2p-noise'
import { NODE_CIPHER_FROM, noiseCrypto } from './noise-crypto.js'
import { coalesceSmallSends, writeSendsAtOnce } from './send-coalescing.js'
import type { NoiseComponents, NoiseExtensions } from '@chainsafe/libp2p-noise'
import type { ConnectionEncrypter, SecuredConnection } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'

/** Bytes of a Noise frame's length prefix (a big-endian uint16). */
const LENGTH_BYTES = 2
/** Noise's largest frame, its tag included. */
const MAX_FRAME_BYTES = 65535

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

/** Parts of sealed frames below this size are copied together rather than written one by one. */
const SMALL_PART_BYTES = 4096

/**
 * Sealed frames as the socket should take them: Noise hands on each frame as its length
 * prefix, its ciphertext and (Shoal's cipher) its tag, and the TCP connection writes each part
 * with a write of its own, which with Nagle off is a packet of its own. A Have was two or
 * three packets of 2, ~30 and 16 bytes (in a 17-node swarm most of a node's 14,000 writes).
 * Runs of small parts are joined into one buffer (a copy of a few bytes); large ciphertexts
 * pass as they are.
 */
export function joinSmallParts (sealed: Uint8ArrayList): Uint8ArrayList {
  const joined = new Uint8ArrayList()
  let run: Uint8Array[] = []
  let copied = false
  const endRun = (): void => {
    if (run.length > 1) copied = true
    if (run.length > 0) joined.append(run.length === 1 ? run[0] : Buffer.concat(run))
    run = []
  }
  for (const part of sealed) {
    if (part.byteLength < SMALL_PART_BYTES) {
      run.push(part)
    } else {
      endRun()
      joined.append(part)
    }
  }
  endRun()
  return copied ? joined : sealed
}

interface FrameDecoder { lengthDecoder?: unknown }
interface Counter { increment: () => void }
interface NoiseConnection {
  send?: (data: Uint8Array | Uint8ArrayList) => boolean
  /** The connection under Noise: TCP's, or the pre-shared key's in a private swarm. */
  stream?: Parameters<typeof writeSendsAtOnce>[0]
  decoder?: FrameDecoder
  encrypt?: (chunk: Uint8Array | Uint8ArrayList) => Uint8ArrayList
  decrypt?: (frame: Uint8Array | Uint8ArrayList) => Uint8ArrayList
  handshake?: { decrypt?: (ciphertext: Uint8Array | Uint8ArrayList, dst?: Uint8Array) => Uint8Array | Uint8ArrayList }
  metrics?: { decryptedPackets: Counter, decryptErrors: Counter }
}

/**
 * Open one received frame where it lies. Noise's own decrypt first makes the frame one buffer
 * for its WebAssembly cipher to write the plaintext over, which for a frame that spanned reads
 * of the socket (nearly every data frame: a read brings up to 64 KiB, a frame is 64 KiB) is a
 * copy of the whole frame; node:crypto, which opens frames from NODE_CIPHER_FROM bytes on
 * (noise-crypto.ts), reads the parts in place and writes a buffer of its own. Smaller frames
 * go to Noise's decrypt as before.
 */
function openFrame (connection: NoiseConnection, decrypt: NonNullable<NoiseConnection['decrypt']>, frame: Uint8Array | Uint8ArrayList): Uint8ArrayList {
  const open = connection.handshake?.decrypt
  if (frame.byteLength < NODE_CIPHER_FROM || frame.byteLength > MAX_FRAME_BYTES || open === undefined) return decrypt.call(connection, frame)
  let plaintext: Uint8Array | Uint8ArrayList
  try {
    plaintext = open(frame)
  } catch (err) {
    connection.metrics?.decryptErrors.increment()
    throw err
  }
  connection.metrics?.decryptedPackets.increment()
  return plaintext instanceof Uint8Array ? new Uint8ArrayList(plaintext) : plaintext
}

/**
 * Noise's connection (v17) keeps its frame decoder as `decoder`, seals with `encrypt` and
 * opens with `decrypt`: the first reads lengths with frameLength, the second hands its output
 * on through joinSmallParts, the third opens large frames with openFrame. Its small sends are
 * coalesced, and the connection under it writes each send at once (send-coalescing.ts).
 * Anything else is left alone.
 */
function adaptFrames (secured: SecuredConnection<NoiseExtensions>): SecuredConnection<NoiseExtensions> {
  const connection = secured.connection as unknown as NoiseConnection
  const { decoder, encrypt, decrypt } = connection
  if (typeof decoder?.lengthDecoder === 'function') decoder.lengthDecoder = frameLength
  if (typeof encrypt === 'function') connection.encrypt = (chunk) => joinSmallParts(encrypt.call(connection, chunk))
  if (typeof decrypt === 'function') connection.decrypt = (frame) => openFrame(connection, decrypt, frame)
  if (typeof connection.send === 'function') coalesceSmallSends(connection as Parameters<typeof coalesceSmallSends>[0])
  if (connection.stream !== undefined) writeSendsAtOnce(connection.stream)
  return secured
}

/** Noise with Shoal's cipher calls (noise-crypto.ts) and a frame reader that does not throw. */
export function noiseEncrypter (): (components: NoiseComponents) => ConnectionEncrypter<NoiseExtensions> {
  const make = noise({ crypto: noiseCrypto })
  return (components) => {
    const encrypter = make(components)
    const secureInbound = encrypter.secureInbound.bind(encrypter)
    const secureOutbound = encrypter.secureOutbound.bind(encrypter)
    encrypter.secureInbound = async (connection, options) => adaptFrames(await secureInbound(connection, options))
    encrypter.secureOutbound = async (connection, options) => adaptFrames(await secureOutbound(connection, options))
    return encrypter
  }
}
