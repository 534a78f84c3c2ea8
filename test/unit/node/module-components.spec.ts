/**
 * What each protocol is given of its own: capabilities checked by name and granted one by
 * one, the trading capability as its two methods alone, a swarms view whose listeners are
 * guarded and removed with it.
 */
import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { askedCapabilities, grantCapabilities, scopedSwarmsView, tradingOf } from '../../../src/node/module-components.js'
import type { ShoalComponents, SwarmEventListener, SwarmEvents, SwarmsView, SwarmTrading } from '../../../src/index.js'

/** A view whose only working part is its listeners, which `emit` calls. */
function listeningView (): { view: SwarmsView, emit: (type: keyof SwarmEvents) => void, count: () => number } {
  const listeners = new Set<{ type: string, listener: SwarmEventListener<any> }>()
  const view: SwarmsView = {
    list: () => [],
    get: () => undefined,
    manifest: () => undefined,
    peers: () => [],
    peerHas: () => false,
    peerPieces: () => undefined,
    hasPiece: () => false,
    readPiece: async () => new Uint8Array(),
    offerPeer: () => {},
    addEventListener: (type, listener) => { listeners.add({ type, listener }) },
    removeEventListener: (type, listener) => {
      for (const l of listeners) if (l.type === type && l.listener === listener) listeners.delete(l)
    }
  }
  const emit = (type: keyof SwarmEvents): void => {
    for (const l of listeners) if (l.type === type) l.listener(new CustomEvent(type, { detail: { contentId: 'c' } }))
  }
  return { view, emit, count: () => listeners.size }
}

describe('node/module-components', () => {
  it('capabilities: known names pass, anything else is named in the answer', () => {
    assert.deepEqual(askedCapabilities(undefined), [])
    assert.deepEqual(askedCapabilities(['trading']), ['trading'])
    assert.match(askedCapabilities(['trading', 'root']) as string, /unknown capability "root" \(known: trading\)/)
    assert.match(askedCapabilities([42]) as string, /unknown capability 42/)
    assert.match(askedCapabilities('trading') as string, /not an array/)
  })

  it('grants the capabilities asked for and no others, without changing the components given', () => {
    const base = { swarms: listeningView().view } as unknown as ShoalComponents
    const trading: SwarmTrading = { endpoint: () => undefined, manifestBytes: () => undefined }
    assert.equal(grantCapabilities(base, { trading }, ['trading']).trading, trading)
    assert.ok(!('trading' in grantCapabilities(base, { trading }, [])))
    assert.ok(!('trading' in base))
  })

  it('the trading capability is its two methods, frozen, and reaches nothing else of the swarms behind it', () => {
    const calls: string[] = []
    const swarms = {
      endpoint: (id: string) => { calls.push(`endpoint:${id}`); return undefined },
      manifestBytes: () => { calls.push('manifest'); return Uint8Array.of(1) },
      stop: () => { calls.push('stop') }
    }
    const trading = tradingOf(swarms)
    assert.deepEqual(Object.keys(trading).sort(), ['endpoint', 'manifestBytes'])
    assert.ok(Object.isFrozen(trading))
    assert.equal(trading.endpoint('c'), undefined)
    assert.deepEqual(trading.manifestBytes({} as never), Uint8Array.of(1))
    assert.deepEqual(calls, ['endpoint:c', 'manifest'])
  })

  it('a module\'s swarm listeners: a throwing one is logged, not thrown; all go when it is released', () => {
    const { view, emit, count } = listeningView()
    const scoped = scopedSwarmsView(view, defaultLogger().forComponent('test'))
    const heard: string[] = []
    scoped.view.addEventListener('swarm:added', () => { heard.push('added') })
    scoped.view.addEventListener('swarm:complete', () => { throw new Error('a careless listener') })
    assert.doesNotThrow(() => { emit('swarm:complete') })
    emit('swarm:added')
    assert.deepEqual(heard, ['added'])
    assert.equal(count(), 2)
    scoped.release()
    assert.equal(count(), 0)
    assert.ok(Object.isFrozen(scoped.view))
  })
})
