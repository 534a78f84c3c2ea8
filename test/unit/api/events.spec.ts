import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { EventHub } from '../../../src/api/events.js'
import type { ServerResponse } from 'node:http'

/** Enough of a ServerResponse for the hub: what it wrote, and a close to end it. */
class FakeResponse extends EventEmitter {
  status = 0
  headers: Record<string, string> = {}
  written: string[] = []
  writableLength = 0
  ended = false
  writeHead (status: number, headers: Record<string, string>): this { this.status = status; this.headers = headers; return this }
  write (chunk: string): boolean { this.written.push(chunk); return true }
  end (): void { this.ended = true }
  get text (): string { return this.written.join('') }
}

async function sleep (ms: number): Promise<void> { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('api/events', () => {
  let statusCalls = 0
  let swarmCalls = 0
  let rate = 0
  const source = {
    status: () => { statusCalls++; return { swarms: [{ contentId: 'c1', downloadRate: rate }] } },
    swarms: (cids: ReadonlySet<string>) => { swarmCalls++; return new Map(cids.has('c1') ? [['c1', { contentId: 'c1', peers: [] }]] : []) }
  }
  beforeEach(() => { statusCalls = 0; swarmCalls = 0; rate = 0 })

  it('sends a snapshot at once, then only what changed, computed once per tick for all clients', async () => {
    const hub = new EventHub({ source, interval: 40, keepAlive: 60_000 })
    const clients = [new FakeResponse(), new FakeResponse(), new FakeResponse()]
    clients.forEach((res, i) => { hub.open(res as unknown as ServerResponse, { swarm: i < 2 ? 'c1' : undefined }) })
    assert.equal(clients[0].headers['content-type'], 'text/event-stream')
    assert.match(clients[0].text, /^event: status\ndata: \{"swarms":\[\{"contentId":"c1","downloadRate":0\}\]\}\n\nevent: swarm\ndata: \{"contentId":"c1","peers":\[\]\}\n\n$/)
    assert.doesNotMatch(clients[2].text, /event: swarm/)
    const opened = statusCalls
    await sleep(200)
    // nothing changed: ticks computed the status, wrote nothing
    assert.equal(clients[0].written.length, 1)
    const ticks = statusCalls - opened
    assert.ok(ticks >= 2, `ticks: ${ticks}`)
    rate = 100
    await sleep(120)
    for (const res of clients) assert.match(res.written.at(-1) ?? '', /"downloadRate":100/)
    // one status and one call for the watched swarms' details per tick, whatever the number of clients
    assert.ok(swarmCalls <= statusCalls, `${swarmCalls} swarm details for ${statusCalls} statuses`)
    hub.close()
    assert.ok(clients.every(c => c.ended))
  })

  it('no timer runs while nobody listens', async () => {
    const hub = new EventHub({ source, interval: 20 })
    const res = new FakeResponse()
    hub.open(res as unknown as ServerResponse)
    res.emit('close')
    assert.equal(hub.listening, 0)
    const calls = statusCalls
    await sleep(100)
    assert.equal(statusCalls, calls)
  })

  it('at most maxClients streams; a slow client misses snapshots rather than queueing them', async () => {
    const hub = new EventHub({ source, interval: 20, maxClients: 2 })
    const slow = new FakeResponse()
    hub.open(slow as unknown as ServerResponse)
    hub.open(new FakeResponse() as unknown as ServerResponse)
    assert.throws(() => { hub.open(new FakeResponse() as unknown as ServerResponse) }, (err: Error & { status?: number }) => err.status === 503)
    slow.writableLength = 10 * 1024 * 1024
    const before = slow.written.length
    rate = 5
    await sleep(100)
    assert.equal(slow.written.length, before)
    hub.close()
  })

  it('a quiet stream gets a comment line now and then (proxies and browsers keep it open)', async () => {
    const hub = new EventHub({ source, interval: 20, keepAlive: 50 })
    const res = new FakeResponse()
    hub.open(res as unknown as ServerResponse)
    await sleep(150)
    assert.ok(res.written.includes(': still here\n\n'))
    hub.close()
  })
})
