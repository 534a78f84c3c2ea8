import { DASHBOARD } from '../config/defaults.js'
import { HttpError } from './requests.js'
import type { ServerResponse } from 'node:http'

/** What the stream sends: the node's status, and one swarm's detail for the clients that watch it. */
export interface EventSource {
  /** The node's status without peers: the same object `GET /v1/status` sends. */
  status(): object
  /** The peers and piece map of each of these swarms (once per tick for all of them); unknown content is left out. */
  swarms(contentIds: ReadonlySet<string>): ReadonlyMap<string, object>
}

export interface EventHubInit {
  source: EventSource
  /** ms between snapshots. @default DASHBOARD.eventInterval */
  interval?: number
  /** @default DASHBOARD.maxEventStreams */
  maxClients?: number
  /** @default DASHBOARD.eventKeepAlive */
  keepAlive?: number
}

interface Client {
  res: ServerResponse
  /** The swarm whose detail it watches. */
  swarm?: string
  /** The last messages sent, to send nothing when nothing changed. */
  lastStatus?: string
  lastSwarm?: string
  lastWrite: number
}

/**
 * Server-sent events for the dashboard: a snapshot per tick, computed once for all clients
 * (one status, one detail per watched swarm), sent only when it changed; no timer runs while
 * nobody listens, and at most maxClients streams are open.
 */
export class EventHub {
  private readonly clients = new Set<Client>()
  private timer?: NodeJS.Timeout
  private readonly interval: number
  private readonly maxClients: number
  private readonly keepAlive: number

  constructor (private readonly init: EventHubInit) {
    this.interval = init.interval ?? DASHBOARD.eventInterval
    this.maxClients = init.maxClients ?? DASHBOARD.maxEventStreams
    this.keepAlive = init.keepAlive ?? DASHBOARD.eventKeepAlive
  }

  get listening (): number {
    return this.clients.size
  }

  /** Start streaming to `res` (HttpError 503 past the cap); the first snapshot goes at once. */
  open (res: ServerResponse, options: { swarm?: string, headers?: Record<string, string> } = {}): void {
    if (this.clients.size >= this.maxClients) throw new HttpError(503, `at most ${this.maxClients} event streams at once`)
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', ...options.headers })
    const client: Client = { res, swarm: options.swarm, lastWrite: Date.now() }
    this.clients.add(client)
    res.once('close', () => { this.remove(client) })
    this.send([client])
    this.timer ??= setInterval(() => { this.send([...this.clients]) }, this.interval)
  }

  /** End every stream (the server stops). */
  close (): void {
    for (const client of this.clients) client.res.end()
    this.clients.clear()
    this.stopTimer()
  }

  private remove (client: Client): void {
    this.clients.delete(client)
    if (this.clients.size === 0) this.stopTimer()
  }

  private stopTimer (): void {
    clearInterval(this.timer)
    this.timer = undefined
  }

  /** One tick: the status once, each watched swarm's detail once, written where it changed. */
  private send (clients: Client[]): void {
    const ready = clients.filter(c => c.res.writableLength <= DASHBOARD.maxEventBacklog)
    if (ready.length === 0) return
    const status = JSON.stringify(this.init.source.status())
    const watched = new Set(ready.flatMap(c => c.swarm === undefined ? [] : [c.swarm]))
    const found = watched.size === 0 ? new Map<string, object>() : this.init.source.swarms(watched)
    const details = new Map<string, string>()
    const now = Date.now()
    for (const client of ready) {
      let message = ''
      if (client.lastStatus !== status) message += `event: status\ndata: ${status}\n\n`
      client.lastStatus = status
      if (client.swarm !== undefined) {
        const detail = details.get(client.swarm) ?? JSON.stringify(found.get(client.swarm) ?? null)
        details.set(client.swarm, detail)
        if (client.lastSwarm !== detail) message += `event: swarm\ndata: ${detail}\n\n`
        client.lastSwarm = detail
      }
      if (message === '' && now - client.lastWrite >= this.keepAlive) message = ': still here\n\n'
      if (message === '') continue
      client.res.write(message)
      client.lastWrite = now
    }
  }
}
