import assert from 'node:assert/strict'
import { boundProviderRecords } from '../../../src/node/dht-store.js'
import type { KadDHTComponents } from '@libp2p/kad-dht'

type Datastore = KadDHTComponents['datastore']

/** A datastore of string keys, enough for put and delete. */
function memoryStore (): Datastore & { keys: Set<string> } {
  const keys = new Set<string>()
  const key = (k: { toString(): string }): string => k.toString()
  return {
    keys,
    put: async (k: { toString(): string }) => { keys.add(key(k)); return k },
    delete: async (k: { toString(): string }) => { keys.delete(key(k)) },
    has: async (k: { toString(): string }) => keys.has(key(k))
  } as unknown as Datastore & { keys: Set<string> }
}

const record = (content: string, peer: number): { toString(): string } => ({ toString: () => `/dht/provider/${content}/peer${peer}` })

describe('node/dht-store', () => {
  it('keeps at most maxPerKey provider records per content key, dropping the oldest', async () => {
    const inner = memoryStore()
    const store = boundProviderRecords(inner, { maxRecords: 100, maxPerKey: 3 })
    for (let peer = 0; peer < 5; peer++) await store.put(record('A', peer) as never, new Uint8Array(1))
    assert.deepEqual([...inner.keys].sort(), [2, 3, 4].map(p => `/dht/provider/A/peer${p}`))
  })

  it('keeps at most maxRecords in all; a record written again is young again; other keys pass through', async () => {
    const inner = memoryStore()
    const store = boundProviderRecords(inner, { maxRecords: 4, maxPerKey: 10 })
    for (const content of ['A', 'B', 'C', 'D']) await store.put(record(content, 1) as never, new Uint8Array(1))
    await store.put(record('A', 1) as never, new Uint8Array(1)) // A is the youngest now
    await store.put(record('E', 1) as never, new Uint8Array(1))
    assert.ok(!inner.keys.has('/dht/provider/B/peer1'), 'the oldest record went')
    assert.ok(inner.keys.has('/dht/provider/A/peer1'))
    await store.delete(record('E', 1) as never)
    await store.put(record('F', 1) as never, new Uint8Array(1))
    assert.equal(inner.keys.size, 4)
    for (let n = 0; n < 10; n++) await store.put({ toString: () => `/peers/${n}` } as never, new Uint8Array(1))
    assert.equal(inner.keys.size, 14, 'keys outside the provider records are not counted')
  })
})
