import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { createServer } from 'node:net'
import { encodePex } from '../../../protocols/peer-exchange/codec.js'
import type { Libp2p } from '@libp2p/interface'
import type { CID } from 'multiformats/cid'
import type { AddressInfo } from 'node:net'

/** The peer-exchange example's protocol id, as a node loads it from config. */
export const PEX = '/shoal/pex/1.0.0'

/**
 * The PEX content-id flooder: one PEX message about each of `contentIds` (made up), `lanes`
 * streams at a time (the example's MAX_INBOUND_STREAMS is 4), from one peer. The node must
 * keep its rate table per peer, so one sender cannot fill it and get everyone refused.
 */
export async function floodPexContentIds (from: Libp2p, target: string, contentIds: readonly string[], lanes = 4): Promise<void> {
  await Promise.all(Array.from({ length: lanes }, async (_, lane) => {
    for (let i = lane; i < contentIds.length; i += lanes) await sendPex(from, target, encodePex(contentIds[i], []))
  }))
}

/** One raw PEX message from `from` to `target`; a refusal (the stream reset) is not an error here. */
export async function sendPex (from: Libp2p, target: string, bytes: Uint8Array): Promise<void> {
  const stream = await from.dialProtocol(multiaddr(target), PEX)
  await lpStream(stream, { maxDataLength: 1024 * 1024 }).write(bytes).catch(() => {})
  await stream.close().catch(() => {})
}

/**
 * The PEX address namer: tells `target` that a made-up peer of the swarm `contentId` is at
 * `address` (a port on the target's own machine, say). Resolves with the made-up peer id.
 */
export async function namePeerViaPex (from: Libp2p, target: string, contentId: string, address: string): Promise<string> {
  const named = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
  await sendPex(from, target, encodePex(contentId, [{ peerId: named, addrs: [multiaddr(`${address}/p2p/${named}`)] }]))
  return named
}

/**
 * The DHT address namer: a Kademlia server (under `dhtProtocol`) that dials `target`,
 * provides `cid` announcing `address` as its only address, and leaves, so that the provider
 * record the target holds points where the namer chose.
 */
export async function provideAt (target: string, cid: CID, address: string, dhtProtocol: string): Promise<void> {
  const namer = await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'], announce: [address] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping(), dht: kadDHT({ protocol: dhtProtocol, clientMode: false, peerInfoMapper: passthroughMapper }) }
  })
  try {
    const connection = await namer.dial(multiaddr(target))
    // the target enters the namer's routing table once identify says it speaks the DHT
    for (let tries = 0; tries < 200; tries++) {
      const known = await namer.peerStore.get(connection.remotePeer).catch(() => undefined)
      if (known?.protocols.includes(dhtProtocol) === true) break
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    await namer.contentRouting.provide(cid, { signal: AbortSignal.timeout(20_000) })
  } finally {
    await namer.stop()
  }
}

/** A TCP listener on 127.0.0.1 that counts the connections made to it: what a named address leads to. */
export interface LoopbackTrap {
  /** `/ip4/127.0.0.1/tcp/<port>` */
  readonly address: string
  dials(): number
  close(): void
}

export async function loopbackTrap (): Promise<LoopbackTrap> {
  let dials = 0
  const server = createServer(socket => { dials++; socket.destroy() })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  return {
    address: `/ip4/127.0.0.1/tcp/${(server.address() as AddressInfo).port}`,
    dials: () => dials,
    close: () => { server.close() }
  }
}
