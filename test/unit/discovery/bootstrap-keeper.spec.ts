import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { DISCOVERY } from '../../../src/config/defaults.js'
import { BootstrapKeeper } from '../../../src/discovery/bootstrap-keeper.js'

const { firstCheck: FIRST_CHECK_MS, firstRetry: FIRST_RETRY_MS, maxRetry: MAX_RETRY_MS, stableAfter: STABLE_AFTER_MS } = DISCOVERY.bootstrap

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

  it('after a peer connected for STABLE_AFTER_MS drops, redials it soon (the back-off was reset by the connection)', async () => {
    const { dials, connected, failing, advance } = setup(['a'])
    failing.add('a')
    await advance(FIRST_CHECK_MS)
    await advance(2 * FIRST_RETRY_MS)
    failing.delete('a')
    await advance(4 * FIRST_RETRY_MS)
    assert.ok(connected.has('a'))
    for (let waited = 0; waited <= STABLE_AFTER_MS; waited += FIRST_RETRY_MS) await advance(FIRST_RETRY_MS)
    const before = dials.length
    connected.delete('a')
    await advance(FIRST_RETRY_MS)
    assert.equal(dials.length, before + 1)
  })

  it('keeps backing off a peer that hangs up within STABLE_AFTER_MS (a full node making room)', async () => {
    const { dials, connected, advance } = setup(['a'])
    const times: number[] = []
    let now = 0
    for (let step = 0; step < 60; step++) {
      const before = dials.length
      now += FIRST_RETRY_MS
      await advance(FIRST_RETRY_MS)
      if (dials.length > before) times.push(now)
      // each connection is hung up on 5 s after its dial
      if (connected.has('a') && now - times[times.length - 1] >= 5 * FIRST_RETRY_MS) connected.delete('a')
    }
    const gaps = times.slice(1).map((t, i) => t - times[i])
    // a peer seen connected for good would be redialled every 6 s (5 s connected, then 1 s)
    assert.ok(gaps.length >= 3 && gaps.every((g, i) => i === 0 || g >= gaps[i - 1]) && gaps[gaps.length - 1] >= 2 * gaps[0], `gaps between dials ${gaps.join(', ')}`)
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

  it('dialNow: a search that finds the node alone dials at once, whatever the back-off, but each peer at most once per FIRST_RETRY_MS', async () => {
    const { keeper, dials, connected, failing, advance } = setup(['a', 'b'])
    failing.add('a')
    connected.add('b')
    keeper.dialNow()
    await advance(0)
    assert.deepEqual(dials, ['a'], 'the unconnected peer, before the first check; the connected one not')
    // a search asks on every pass: not a dial per pass
    for (let i = 0; i < 5; i++) {
      keeper.dialNow()
      await advance(100)
    }
    assert.deepEqual(dials, ['a'])
    await advance(FIRST_RETRY_MS)
    keeper.dialNow()
    await advance(0)
    assert.deepEqual(dials, ['a', 'a'])
  })

  it('reports the peers connected, the dials that failed, and why the last one did', async () => {
    let now = 0
    const connected = new Set<string>()
    const keeper = new BootstrapKeeper({
      peers: ['a', 'b'],
      isConnected: (p) => connected.has(p),
      dial: async (p) => {
        if (p === 'a') throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })
        const err = new Error('Message length too long')
        err.name = 'EncryptionFailedError'
        throw err
      },
      log,
      now: () => now
    })
    assert.deepEqual(keeper.report(), { peers: 2, connected: 0, failedDials: 0 })
    keeper.dialNow()
    await new Promise(resolve => setImmediate(resolve))
    now += FIRST_RETRY_MS
    keeper.dialNow()
    await new Promise(resolve => setImmediate(resolve))
    assert.deepEqual(keeper.report(), { peers: 2, connected: 0, failedDials: 4, lastFailure: 'encryption' }, 'a key mismatch explains more than a refusal')
    connected.add('b')
    assert.equal(keeper.report().connected, 1)
    keeper.stop()
  })
})
