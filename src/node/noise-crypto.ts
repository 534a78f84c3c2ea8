import { createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import type { ICryptoInterface } from '@chainsafe/libp2p-noise'
import type { KeyObject } from 'node:crypto'

const CHACHA_POLY1305 = 'chacha20-poly1305'
const TAG_BYTES = 16
/** Below this, the default's WebAssembly cipher is faster than node:crypto (its own benchmark); such frames go to it. */
export const NODE_CIPHER_FROM = 1200

/**
 * Noise's own copy of uint8arraylist (v2) types its lists; ours is v3. A list of either is
 * recognised by both at run time (by a shared Symbol.for mark), so ours passes as theirs.
 */
type NoiseList = Exclude<ReturnType<ICryptoInterface['chaCha20Poly1305Encrypt']>, Uint8Array>
const asNoiseList = (list: Uint8ArrayList): NoiseList => list as unknown as NoiseList

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
 * Noise's default crypto with two changes for frames of data (64 KiB at most each):
 * - the ChaCha20-Poly1305 cipher is made from a KeyObject kept per session; the default passes
 *   the raw key, from which node:crypto makes a key object for every frame;
 * - a sealed frame is handed on as its parts (ciphertext, tag), where the default copies them
 *   into one buffer first (the tag then joins the next frame's length: joinSmallParts).
 * Measured sealing 512 MiB in 64 KiB frames: 0.33-0.39 CPU s with the default, 0.25 with this.
 */
export const noiseCrypto: ICryptoInterface = {
  ...defaultCrypto,
  chaCha20Poly1305Encrypt (plaintext, nonce, ad, k) {
    if (plaintext.byteLength < NODE_CIPHER_FROM) return defaultCrypto.chaCha20Poly1305Encrypt(plaintext, nonce, ad, k)
    const cipher = createCipheriv(CHACHA_POLY1305, sessionKey(k), nonce, { authTagLength: TAG_BYTES })
    cipher.setAAD(ad, { plaintextLength: plaintext.byteLength })
    const sealed = new Uint8ArrayList()
    if (plaintext instanceof Uint8Array) sealed.append(cipher.update(plaintext))
    else for (const buf of plaintext) sealed.append(cipher.update(buf))
    // (a stream cipher: final() gives nothing, but it is what computes the tag)
    const final = cipher.final()
    if (final.byteLength > 0) sealed.append(final)
    sealed.append(cipher.getAuthTag())
    return asNoiseList(sealed)
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
    const opened = new Uint8ArrayList()
    for (const buf of ciphertext.sublist(0, textLength)) opened.append(decipher.update(buf))
    const final = decipher.final()
    if (final.byteLength > 0) opened.append(final)
    return asNoiseList(opened)
  }
}
