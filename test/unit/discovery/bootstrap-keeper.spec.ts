import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { DISCOVERY } from '../../../src/config/defaults.js'
import { BootstrapKeeper } from '../../../src/discovery/bootstrap-keeper.js'

const { firstCheck: FIRST_CHECK_MS, firstRetry: FIRST_RETRY_MS, maxRetry: MAX_RETRY_MS } = DISCOVERY.bootstrap

const log = defaultLogger().forComponent('shoal:test:bootstrap')

/** A keeper over a fake network whose dials fail or succeed as the test says, on a manual clock. */
function setup (peers: string[]): { keeper: BootstrapKeeper, dials: string[], connected: Set<string>, failing: Set<string>, advance: (ms: number) => Promise<void> } {
  let now = 0
  const dials: string[] = []
  const connected = new Set<string>()
  const failing = new Set<string>()
  const keeper = new BootstrapKeeper({
    peers,
    isConnected: (p) => connected.has(p),
    dial: async (p) => {
      dials.push(p)
      if (failing.has(p)) throw new Error('refused')
      connected.add(p)
    },
    log,
    now: () => now
  })
  const advance = async (ms: number): Promise<void> => {
    now += ms
    keeper.check()
    await new Promise(resolve => setImmediate(resolve))
  }
  return { keeper, dials, connected, failing, advance }
}

describe('discovery/bootstrap-keeper', () => {
  it('leaves the first dial to libp2p, then dials a bootstrap peer that is not connected', async () => {
    const { dials, connected, advance } = setup(['a', 'b'])
    connected.add('a')
    await advance(FIRST_CHECK_MS - 1)
    assert.deepEqual(dials, [])
    await advance(1)
    assert.deepEqual(dials, ['b'])
    assert.ok(connected.has('b'))
    await advance(10 * MAX_RETRY_MS)
    assert.deepEqual(dials, ['b'], 'a connected peer is not dialled again')
  })

  it('backs off exponentially while a peer cannot be reached, up to MAX_RETRY_MS', async () => {
    const { dials, failing, advance } = setup(['a'])
    failing.add('a')
    await advance(FIRST_CHECK_MS - 1000)
    const times: number[] = []
    let t = 0
    for (let step = 0; step < 400; step++) {
      const before = dials.length
      await advance(1000)
      t += 1000
      if (dials.length > before) times.push(t)
    }
    const gaps = times.slice(1).map((time, i) => time - times[i])
    assert.deepEqual(gaps.slice(0, 5), [2000, 4000, 8000, 16000, 32000])
    assert.ok(gaps.slice(5).every(g => g === MAX_RETRY_MS), `gaps ${gaps.join(', ')}`)
  })

  it('after a peer seen connected drops, redials it soon (the back-off was reset by the connection)', async () => {
    const { dials, connected, failing, advance } = setup(['a'])
    failing.add('a')
    await advance(FIRST_CHECK_MS)
    await advance(2 * FIRST_RETRY_MS)
    failing.delete('a')
    await advance(4 * FIRST_RETRY_MS)
    assert.ok(connected.has('a'))
    await advance(FIRST_RETRY_MS) // a check sees it connected
    const before = dials.length
    connected.delete('a')
    await advance(FIRST_RETRY_MS)
    assert.equal(dials.length, before + 1)
  })

  it('keeps backing off a peer that accepts the dial and hangs up at once', async () => {
    let now = 0
    const dials: number[] = []
    const keeper = new BootstrapKeeper({
      peers: ['a'],
      isConnected: () => false, // never seen connected at a check
      dial: async () => { dials.push(now) },
      log,
      now: () => now
    })
    for (let step = 0; step < 120; step++) {
      now += 1000
      keeper.check()
      await new Promise(resolve => setImmediate(resolve))
    }
    const gaps = dials.slice(1).map((t, i) => t - dials[i])
    assert.deepEqual(gaps.slice(0, 4), [2000, 4000, 8000, 16000])
  })
})
