import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { SCORING } from '../../../src/config/defaults.js'
import { StallWatch } from '../../../src/swarm/stalls.js'
import { join, swarmWith } from './swarm-kit.js'
import type { Kit } from './swarm-kit.js'
import type { PeerSession } from '../../../src/swarm/peer-session.js'

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('swarm/stalls', () => {
  const kits: Kit[] = []
  afterEach(async () => { for (const kit of kits.splice(0)) await kit.swarm.stop() })

  /** A seed that unchoked us and holds our requests; a watch over it with `timeouts.request`. */
  async function holder (request: number): Promise<{ session: PeerSession, watch: StallWatch, released: number[], stalls: string[], cancels: () => number[] }> {
    const kit = await swarmWith([])
    kits.push(kit)
    const { wire, handler } = await join(kit.swarm, 'holder', 'all')
    handler.onUnchoke()
    const session = kit.swarm.peers.get('holder') as PeerSession
    const released: number[] = []
    const stalls: string[] = []
    const watch = new StallWatch({
      timeouts: { request },
      minPieceRate: SCORING.minPieceRate,
      release: (index) => { released.push(index) },
      onStall: (_peer, reason) => { stalls.push(reason) },
      log: defaultLogger().forComponent('shoal:test:stalls')
    })
    return { session, watch, released, stalls, cancels: () => wire.sent('cancel') }
  }

  it('a peer silent for a third of the request timeout is snubbed: its requests go to others, no offence', async () => {
    const { session, watch, released, stalls, cancels } = await holder(90)
    const out = session.requestedPieces()
    assert.ok(out.length > 0)
    watch.check([session])
    assert.equal(session.snubbed, false, 'not silent long enough yet')
    await sleep(40)
    watch.check([session])
    assert.equal(session.snubbed, true)
    assert.deepEqual(released.sort(), [...out].sort())
    assert.deepEqual(cancels().sort(), [...out].sort())
    assert.deepEqual(stalls, [])
  })

  it('requests held for the whole timeout are given up and the peer scored; SCORING.maxStalls times closes it as a violation', async () => {
    const { session, watch, released, stalls } = await holder(20)
    for (let i = 1; i <= SCORING.maxStalls; i++) {
      if (session.requestsOut === 0) session.request(0)
      await sleep(30)
      watch.check([session])
      assert.equal(session.requestsOut, 0, 'its requests were given up')
      if (i < SCORING.maxStalls) assert.equal(stalls.length, i)
    }
    assert.ok(released.length >= SCORING.maxStalls)
    assert.equal(session.closed, true)
  })
})
