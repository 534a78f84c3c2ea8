import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { decodePex, encodePex } from '../../../protocols/peer-exchange/codec.js'
import { MAX_ADDRS_PER_PEER, MAX_MESSAGE_SIZE, MAX_PEERS } from '../../../protocols/peer-exchange/constants.js'
import { PexMessage } from '../../../protocols/peer-exchange/pb/peer-exchange.js'
import { RecentPeers } from '../../../protocols/peer-exchange/recent-peers.js'

const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const newPeer = async (): Promise<string> => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
const raw = (addrs: string[][]): Uint8Array => PexMessage.encode({ contentId: CID, peers: addrs.map(a => ({ addrs: a.map(s => multiaddr(s).bytes) })) })

describe('protocols/peer-exchange: codec and limits', () => {
  let p1: string
  let p2: string
  before(async () => { [p1, p2] = [await newPeer(), await newPeer()] })

  it('round-trips peers, adding /p2p/ on the wire and removing it on decode', () => {
    const bytes = encodePex(CID, [{ peerId: p1, addrs: [multiaddr('/ip4/127.0.0.1/tcp/4001'), multiaddr(`/ip4/10.0.0.1/tcp/5/p2p/${p1}`)] }, { peerId: p2, addrs: [multiaddr('/ip6/::1/tcp/7')] }])
    const decoded = decodePex(bytes)
    assert.equal(decoded.contentId, CID)
    assert.deepEqual(decoded.peers.map(p => [p.peerId, p.addrs.map(a => a.toString())]), [
      [p1, ['/ip4/127.0.0.1/tcp/4001', '/ip4/10.0.0.1/tcp/5']],
      [p2, ['/ip6/::1/tcp/7']]
    ])
  })

  it('a full message of the largest kind fits the size cap', () => {
    const addrs = Array.from({ length: MAX_ADDRS_PER_PEER }, (_, i) => multiaddr(`/ip6/2001:db8::${i + 1}/tcp/65535`))
    const bytes = encodePex(CID, Array.from({ length: MAX_PEERS }, () => ({ peerId: p1, addrs })))
    assert.ok(bytes.byteLength < MAX_MESSAGE_SIZE, `${bytes.byteLength} bytes`)
  })

  it('refuses a message with more peers than the cap', () => {
    const bytes = raw(Array.from({ length: MAX_PEERS + 1 }, () => [`/ip4/127.0.0.1/tcp/1/p2p/${p1}`]))
    assert.throws(() => decodePex(bytes), { name: 'InvalidMessageError' })
  })

  it('refuses a peer with more addresses than the cap', () => {
    const bytes = raw([Array.from({ length: MAX_ADDRS_PER_PEER + 1 }, (_, i) => `/ip4/127.0.0.1/tcp/${i + 1}/p2p/${p1}`)])
    assert.throws(() => decodePex(bytes), { name: 'InvalidMessageError' })
  })

  it('refuses bogus addresses: not a multiaddr, no /p2p/, only /p2p/, mixed peers, no addresses, garbage', () => {
    const bogus = PexMessage.encode({ contentId: CID, peers: [{ addrs: [Uint8Array.of(0xff, 0xff, 0xff, 0x01)] }] })
    const cases: Array<[string, Uint8Array]> = [
      ['not a multiaddr', bogus],
      ['no /p2p/', raw([['/ip4/127.0.0.1/tcp/1']])],
      ['only /p2p/', raw([[`/p2p/${p1}`]])],
      ['two peers in one entry', raw([[`/ip4/127.0.0.1/tcp/1/p2p/${p1}`, `/ip4/127.0.0.1/tcp/2/p2p/${p2}`]])],
      ['a peer without addresses', PexMessage.encode({ contentId: CID, peers: [{ addrs: [] }] })],
      ['no content id', PexMessage.encode({ contentId: '', peers: [] })],
      ['not protobuf', Uint8Array.of(0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f)]
    ]
    for (const [what, bytes] of cases) assert.throws(() => decodePex(bytes), { name: 'InvalidMessageError' }, what)
  })

  it('remembers a bounded number of recent peers per swarm, newest first, and forgets old ones', () => {
    const recent = new RecentPeers(1000)
    for (let i = 0; i < 250; i++) recent.seen(CID, `peer${i}`, 0)
    recent.seen(CID, 'peer10', 500)
    const list = recent.list(CID)
    assert.equal(list.length, 200)
    assert.equal(list[0], 'peer10')
    recent.prune(1200)
    assert.deepEqual(recent.list(CID), ['peer10'])
  })
})
