/**
 * The LAN dialer (issue 16, item 1): peers mDNS finds are dialled, but not ourselves, a peer
 * already connected or banned, more than `concurrency` at once, nor a peer whose dial failed
 * lately (an outsider to a private swarm fails every time; mDNS hears it every 10 s).
 */
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { LanDialer } from '../../../src/node/lan-dialer.js'
import type { Libp2p, PeerDiscovery, PeerId } from '@libp2p/interface'

async function newPeer (): Promise<PeerId> {
  return peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
}

async function setup (options: { fail?: boolean, connected?: PeerId[], banned?: string[], concurrency?: number, hold?: Promise<void> } = {}): Promise<{ dialer: LanDialer, discovery: EventTarget, dialled: string[], self: PeerId }> {
  const dialled: string[] = []
  const discovery = new EventTarget()
  const self = await newPeer()
  const libp2p = {
    peerId: self,
    getConnections: (peer: PeerId) => (options.connected ?? []).some(p => p.equals(peer)) ? [{}] : [],
    dial: async (peer: PeerId) => {
      dialled.push(peer.toString())
      await options.hold
      if (options.fail === true) throw new Error('handshake failed')
    }
  } as unknown as Libp2p
  const dialer = new LanDialer({
    libp2p,
    discovery: discovery as unknown as PeerDiscovery,
    isBanned: (peer) => (options.banned ?? []).includes(peer),
    concurrency: options.concurrency ?? 4,
    timeoutMs: 1000,
    retryAfterMs: 60_000,
    maxTracked: 10,
    log: Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false }) as never
  })
  dialer.start()
  return { dialer, discovery, dialled, self }
}

const found = (discovery: EventTarget, id: PeerId): void => { discovery.dispatchEvent(new CustomEvent('peer', { detail: { id, multiaddrs: [] } })) }
const settle = async (): Promise<void> => { await new Promise(resolve => setTimeout(resolve, 10)) }

describe('node/lan-dialer', () => {
  it('dials a peer it hears, not itself, nor a connected or banned one', async () => {
    const [fresh, connected, banned] = [await newPeer(), await newPeer(), await newPeer()]
    const { dialer, discovery, dialled, self } = await setup({ connected: [connected], banned: [banned.toString()] })
    for (const peer of [fresh, connected, banned, self]) found(discovery, peer)
    await settle()
    assert.deepEqual(dialled, [fresh.toString()])
    dialer.stop()
    found(discovery, await newPeer())
    await settle()
    assert.equal(dialled.length, 1, 'stopped: it hears nobody')
  })

  it('a peer whose dial failed is not dialled again when heard again soon', async () => {
    const peer = await newPeer()
    const { dialer, discovery, dialled } = await setup({ fail: true })
    found(discovery, peer)
    await settle()
    found(discovery, peer)
    await settle()
    assert.equal(dialled.length, 1)
    dialer.stop()
  })

  it('dials at most `concurrency` peers at once', async () => {
    let release = (): void => {}
    const hold = new Promise<void>(resolve => { release = resolve })
    const { dialer, discovery, dialled } = await setup({ concurrency: 2, hold })
    for (let i = 0; i < 5; i++) found(discovery, await newPeer())
    await settle()
    assert.equal(dialled.length, 2)
    release()
    dialer.stop()
  })
})
