import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { onMisbehaviourOf } from '../../../src/node/misbehaviour.js'
import type { OnMisbehaviour } from '../../../src/node/misbehaviour.js'
import type { Libp2p, Logger, PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = Object.assign(() => {}, { error: () => {}, trace: () => {}, enabled: false }) as unknown as Logger

describe('node/misbehaviour', () => {
  let peer: PeerId
  before(async () => { peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')) })

  function setup (): { onMisbehaviour: OnMisbehaviour, banned: Map<string, string>, counted: string[], recorded: Multiaddr[][], hungUp: string[] } {
    const banned = new Map<string, string>()
    const counted: string[] = []
    const recorded: Multiaddr[][] = []
    const hungUp: string[] = []
    const libp2p = {
      getConnections: () => [{ remoteAddr: multiaddr('/ip4/10.0.0.9/tcp/4001') }],
      hangUp: async (id: PeerId) => { hungUp.push(id.toString()) }
    } as unknown as Libp2p
    const onMisbehaviour = onMisbehaviourOf({
      bans: { isBanned: (p) => banned.has(p), ban: (p, reason) => { banned.set(p, reason) } },
      addressGuard: { recordBan: (addresses) => { recorded.push([...addresses]) } },
      libp2p,
      countBan: (reason) => { counted.push(reason) },
      log
    })
    return { onMisbehaviour, banned, counted, recorded, hungUp }
  }

  it('a fatal breach bans the peer, counts it, records its addresses and hangs up', () => {
    const { onMisbehaviour, banned, counted, recorded, hungUp } = setup()
    onMisbehaviour(peer.toString(), 'bad piece', true)
    assert.equal(banned.get(peer.toString()), 'bad piece')
    assert.deepEqual(counted, ['bad piece'])
    assert.deepEqual(recorded.map(r => r.map(a => a.toString())), [['/ip4/10.0.0.9/tcp/4001']])
    assert.deepEqual(hungUp, [peer.toString()])
  })

  it('a breach that is not fatal is only logged', () => {
    const { onMisbehaviour, banned, counted, hungUp } = setup()
    onMisbehaviour(peer.toString(), 'slow', false)
    assert.equal(banned.size, 0)
    assert.deepEqual(counted, [])
    assert.deepEqual(hungUp, [])
  })

  it('a peer already banned is not banned or counted again', () => {
    const { onMisbehaviour, counted, hungUp } = setup()
    onMisbehaviour(peer.toString(), 'first', true)
    onMisbehaviour(peer.toString(), 'second', true)
    assert.deepEqual(counted, ['first'])
    assert.equal(hungUp.length, 1)
  })
})
