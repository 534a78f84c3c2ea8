import assert from 'node:assert/strict'
import { multiaddr } from '@multiformats/multiaddr'
import { isRelayed, openPreferredStream, preferredConnection } from '../../../src/utils/open-stream.js'
import type { Connection, PeerId } from '@libp2p/interface'

const RELAY = '12D3KooWKnDdG3iXw9eTFijk3EWSunZcFi54Zka4wmtqtt6rPxc8'
const PEER = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'

interface FakeConnection extends Connection { opened: Array<{ protocol: string, options: unknown }> }

function connection (id: string, address: string, limits?: { bytes: bigint }, status = 'open'): FakeConnection {
  const opened: FakeConnection['opened'] = []
  return {
    id,
    remoteAddr: multiaddr(address),
    limits,
    status,
    opened,
    newStream: async (protocol: string, options: unknown) => {
      opened.push({ protocol, options })
      return { id: `${id}-stream` }
    }
  } as unknown as FakeConnection
}

const direct = (): FakeConnection => connection('direct', `/ip4/10.0.0.2/tcp/4100/p2p/${PEER}`)
const relayed = (limits?: { bytes: bigint }): FakeConnection => connection(limits === undefined ? 'relayed' : 'limited', `/ip4/10.0.0.1/tcp/4100/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`, limits)

describe('utils/open-stream', () => {
  it('tells a relayed connection from a direct one', () => {
    assert.equal(isRelayed(relayed()), true)
    assert.equal(isRelayed(direct()), false)
  })

  it('prefers a direct connection, then an unlimited relayed one, then a limited one; never a closed one', () => {
    assert.equal(preferredConnection([relayed({ bytes: 1n }), relayed(), direct()])?.id, 'direct')
    assert.equal(preferredConnection([relayed({ bytes: 1n }), relayed()])?.id, 'relayed')
    assert.equal(preferredConnection([relayed({ bytes: 1n })])?.id, 'limited')
    assert.equal(preferredConnection([connection('gone', `/ip4/10.0.0.2/tcp/1/p2p/${PEER}`, undefined, 'closed')]), undefined)
  })

  it('opens the stream on a limited connection rather than dialling past it', async () => {
    const limited = relayed({ bytes: 1n << 20n })
    let dials = 0
    const opener = { getConnections: () => [limited], openStream: async () => { dials++; return await direct().newStream('/p/1', {}) } }
    await openPreferredStream(opener, {} as PeerId, '/p/1')
    assert.equal(dials, 0)
    assert.deepEqual(limited.opened, [{ protocol: '/p/1', options: { runOnLimitedConnection: true } }])
  })

  it('dials when there is no connection, and may use a limited connection it dials', async () => {
    const dials: unknown[] = []
    const opener = { getConnections: () => [], openStream: async (_peer: PeerId, protocol: string, options: unknown) => { dials.push({ protocol, options }); return await direct().newStream(protocol, {}) } }
    await openPreferredStream(opener, {} as PeerId, '/p/1')
    assert.deepEqual(dials, [{ protocol: '/p/1', options: { runOnLimitedConnection: true } }])
  })
})
