import { generateKeyPair } from '@libp2p/crypto/keys'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Uint8ArrayList } from 'uint8arraylist'
import type { NoiseComponents } from '@chainsafe/libp2p-noise'
import type { MessageStream, StreamMessageEvent } from '@libp2p/interface'

/** Everything `stream` delivers until `count` bytes have come. */
export async function received (stream: MessageStream, count: number): Promise<Uint8Array> {
  const list = new Uint8ArrayList()
  return await new Promise(resolve => {
    stream.addEventListener('message', (evt: StreamMessageEvent) => {
      list.append(evt.data)
      if (list.byteLength >= count) resolve(list.subarray())
    })
  })
}

/** What Noise asks of a node: a fresh identity, a logger, no muxers. */
export async function noiseComponents (): Promise<NoiseComponents> {
  const privateKey = await generateKeyPair('Ed25519')
  return { privateKey, peerId: peerIdFromPrivateKey(privateKey), logger: defaultLogger(), upgrader: { getStreamMuxers: () => new Map() } } as unknown as NoiseComponents
}
