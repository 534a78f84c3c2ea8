import { createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'
import type { KeyObject } from 'node:crypto'

const CHACHA_POLY1305 = 'chacha20-poly1305'
const TAG_BYTES = 16
/** Below this, the default's WebAssembly cipher is faster than node:crypto (its own benchmark); such frames go to it. */
const NODE_CIPHER_FROM = 1200

interface CachedKey { bytes: Uint8Array, key: KeyObject }

/**
 * A session's key, made into a KeyObject once. Noise passes each cipher state's own key array
 * with every frame, so the array identifies the session (and the entry goes with it); the
 * bytes are checked too, so a key changed in place is never used stale.
 */
const keyObjects = new WeakMap<Uint8Array, CachedKey>()

export function sessionKey (k: Uint8Array): KeyObject {
  const cached = keyObjects.get(k)
  if (cached !== undefined && Buffer.compare(cached.bytes, k) === 0) return cached.key
  const entry = { bytes: Uint8Array.from(k), key: createSecretKey(k) }
  keyObjects.set(k, entry)
  return entry.key
}

/**
 * Noise's default crypto with one change: a frame's ChaCha20-Poly1305 cipher is made from a
 * KeyObject kept per session. The default passes the raw key bytes, and node:crypto then makes
 * a key object from them for every frame of at most 64 KiB (createCipheriv -> prepareSecretKey).
 */
export const noiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt (plaintext, nonce, ad, k) {
    if (plaintext.byteLength < NODE_CIPHER_FROM) return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
    const cipher = createCipheriv(CHACHA_POLY1305, sessionKey(k), nonce, { authTagLength: TAG_BYTES })
    cipher.setAAD(ad, { plaintextLength: plaintext.byteLength })
    // a frame in pieces comes out whole: one copy, as the default makes of a frame in one piece
    const parts = plaintext instanceof Uint8Array ? [cipher.update(plaintext)] : [...plaintext].map(buf => cipher.update(buf))
    parts.push(cipher.final(), cipher.getAuthTag())
    return Buffer.concat(parts, plaintext.byteLength + TAG_BYTES)
  },
  chaCha20Poly1305Decrypt (ciphertext, nonce, ad, k, dst) {
    if (ciphertext.byteLength < NODE_CIPHER_FROM) return defaultCrypto.chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k, dst)
    const decipher = createDecipheriv(CHACHA_POLY1305, sessionKey(k), nonce, { authTagLength: TAG_BYTES })
    const textLength = ciphertext.byteLength - TAG_BYTES
    decipher.setAAD(ad, { plaintextLength: textLength })
    decipher.setAuthTag(ciphertext.subarray(textLength))
    if (ciphertext instanceof Uint8Array) {
      const output = decipher.update(ciphertext.subarray(0, textLength))
      const final = decipher.final()
      return final.byteLength > 0 ? Buffer.concat([output, final], output.byteLength + final.byteLength) : output
    }
    const parts = [...ciphertext.sublist(0, textLength)].map(buf => decipher.update(buf))
    parts.push(decipher.final())
    return Buffer.concat(parts, textLength)
  }
}
