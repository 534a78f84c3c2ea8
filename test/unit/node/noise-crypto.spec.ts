import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { defaultCrypto } from '@chainsafe/libp2p-noise/crypto'
import { Uint8ArrayList } from 'uint8arraylist'
import { noiseCrypto, sessionKey } from '../../../src/node/noise-crypto.js'

type Frame = Parameters<typeof noiseCrypto.chaCha20Poly1305Encrypt>[0]
// copied: the WebAssembly cipher (small frames) answers in memory it reuses
const bytes = (data: Frame): Uint8Array => Uint8Array.from(data instanceof Uint8Array ? data : data.subarray())
/** A frame in two pieces, as Noise passes one it got as a list (the list class is Noise's own copy of the package). */
const inPieces = (data: Uint8Array, at: number): Frame => new Uint8ArrayList(data.subarray(0, at), data.subarray(at)) as unknown as Frame

describe('node/noise-crypto', () => {
  const nonce = randomBytes(12)
  const ad = randomBytes(32)

  it('seals and opens exactly as Noise\'s default crypto, small and large frames, plain or in pieces', () => {
    const k = randomBytes(32)
    for (const size of [0, 100, 1199, 1200, 4096, 65519]) {
      const text = randomBytes(size)
      const sealed = bytes(noiseCrypto.chaCha20Poly1305Encrypt(text, nonce, ad, k))
      assert.deepEqual(sealed, bytes(defaultCrypto.chaCha20Poly1305Encrypt(text, nonce, ad, k)), `sealed ${size} bytes`)
      assert.deepEqual(bytes(noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, k)), new Uint8Array(text), `opened ${size} bytes`)
      const split = inPieces(text, size >> 1)
      assert.deepEqual(bytes(noiseCrypto.chaCha20Poly1305Encrypt(split, nonce, ad, k)), sealed, `sealed ${size} bytes in two pieces`)
      const sealedSplit = inPieces(sealed, 7)
      assert.deepEqual(bytes(noiseCrypto.chaCha20Poly1305Decrypt(sealedSplit, nonce, ad, k)), new Uint8Array(text), `opened ${size} bytes in two pieces`)
    }
  })

  it('refuses a frame altered in transit', () => {
    const k = randomBytes(32)
    const sealed = Buffer.from(bytes(noiseCrypto.chaCha20Poly1305Encrypt(randomBytes(4096), nonce, ad, k)))
    sealed[100] ^= 1
    assert.throws(() => noiseCrypto.chaCha20Poly1305Decrypt(sealed, nonce, ad, k))
  })

  it('makes a session\'s key object once, and a new one if the key\'s bytes change in place', () => {
    const k = randomBytes(32)
    const first = sessionKey(k)
    assert.equal(sessionKey(k), first, 'the same object for the same key array')
    assert.notEqual(sessionKey(Uint8Array.from(k)), first, 'another session (another array) gets its own')
    k[0] ^= 1
    const changed = sessionKey(k)
    assert.notEqual(changed, first)
    const text = randomBytes(4096)
    assert.deepEqual(bytes(noiseCrypto.chaCha20Poly1305Encrypt(text, nonce, ad, k)), bytes(defaultCrypto.chaCha20Poly1305Encrypt(text, nonce, ad, k)), 'sealed with the changed key')
  })
})
