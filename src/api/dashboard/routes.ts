import { DASHBOARD } from '../../config/defaults.js'
import { EventHub } from '../events.js'
import { HttpError } from '../requests.js'
import { DashboardFiles, PAGE_HEADERS, plainPage } from './page.js'
import { SecretBook, readCookie, sessionCookie, sessionCookieName } from './sessions.js'
import type { IncomingMessage, ServerResponse } from 'node:http'

/** Who a request comes from: the CLI (bearer token) or the dashboard page (session cookie). */
export type Caller = 'token' | 'session'

/** What the dashboard's routes need of the node (the API's ApiNode has it). */
export interface DashboardNode {
  status(options: { peers?: boolean }): object
  pieceMap?(contentId: string): Uint8Array | undefined
}

export interface DashboardRoutesInit {
  node: DashboardNode
  /** The API's own origin, http://127.0.0.1:PORT, once it listens. */
  origin(): string
}

const LOGIN = 'GET /dashboard/login'
const PIECES = /^GET \/v1\/swarms\/([A-Za-z0-9]{1,200})\/pieces$/

/**
 * The dashboard's side of the control API: the login that turns a one-time code (from
 * `shoal dashboard`, which holds the token) into a session cookie, the browser rules for
 * requests that carry it, the page's files, the event stream and the piece maps.
 */
export class DashboardRoutes {
  private readonly codes = new SecretBook({ lifetimeMs: DASHBOARD.loginCodeLifetime, max: DASHBOARD.maxLoginCodes, bytes: DASHBOARD.loginCodeBytes })
  private readonly sessions = new SecretBook({ lifetimeMs: DASHBOARD.sessionLifetime, max: DASHBOARD.maxSessions, bytes: DASHBOARD.sessionIdBytes })
  private readonly files = new DashboardFiles()
  readonly events: EventHub

  constructor (private readonly init: DashboardRoutesInit) {
    this.events = new EventHub({ source: { status: () => init.node.status({}), swarms: (cids) => this.swarmDetails(cids) } })
  }

  /** The one route that needs neither token nor session: its code is its credential. */
  isLogin (route: string): boolean {
    return route === LOGIN
  }

  /** Whether the request carries a live session cookie. */
  hasSession (req: IncomingMessage): boolean {
    return this.sessions.valid(readCookie(req.headers.cookie, this.cookieName()))
  }

  /**
   * A browser's request with the session: addressed to the API by its own IP and port (a
   * page under another name that resolves here is DNS rebinding), and sent from the
   * dashboard's own origin when it says where it comes from.
   */
  checkBrowser (req: IncomingMessage): void {
    const own = new URL(this.init.origin())
    if (req.headers.host !== own.host) throw new HttpError(403, 'the dashboard answers only at its own address')
    const origin = req.headers.origin
    if (origin !== undefined && origin !== own.origin) throw new HttpError(403, 'requests from other sites are refused')
    // a page on another port of this host is "same-site" (the SameSite cookie goes along) and
    // its GETs carry no Origin: the browser's Sec-Fetch-Site still tells them apart
    const site = req.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'requests from other sites are refused')
  }

  /** A page for a request without token or session: what to run, and nothing else. */
  refuse (route: string, res: ServerResponse): boolean {
    if (!route.startsWith('GET /dashboard')) return false
    plainPage(res, 401, 'Not logged in. Run "shoal dashboard" and open the URL it prints (it works once, for a minute).')
    return true
  }

  async login (req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.checkBrowser(req)
    const code = new URLSearchParams((req.url ?? '').split('?', 2)[1] ?? '').get('code') ?? undefined
    if (!this.codes.redeem(code)) {
      plainPage(res, 401, 'This login link was used already or has expired. Run "shoal dashboard" again for a new one.')
      return
    }
    const cookie = sessionCookie(this.cookieName(), this.sessions.issue(), DASHBOARD.sessionLifetime)
    // the code leaves the address bar (and the history) with the redirect
    res.writeHead(303, { ...PAGE_HEADERS, 'set-cookie': cookie, location: '/dashboard/' })
    res.end()
  }

  /** Serve a dashboard route; false if the route is not one. */
  async route (route: string, req: IncomingMessage, res: ServerResponse, caller: Caller): Promise<boolean> {
    if (route === 'GET /dashboard') {
      res.writeHead(308, { ...PAGE_HEADERS, location: '/dashboard/' })
      res.end()
      return true
    }
    if (route.startsWith('GET /dashboard/')) {
      if (!await this.files.serve(route.slice('GET /dashboard/'.length), res)) plainPage(res, 404, 'No such page.')
      return true
    }
    if (route === 'GET /v1/events') {
      const swarm = new URLSearchParams((req.url ?? '').split('?', 2)[1] ?? '').get('swarm') ?? undefined
      this.events.open(res, { swarm: swarm !== undefined && /^[A-Za-z0-9]{1,200}$/.test(swarm) ? swarm : undefined, headers: PAGE_HEADERS })
      return true
    }
    if (route === 'POST /v1/dashboard/login-code') {
      // only the token's holder hands out logins: a session cannot make more of itself
      if (caller !== 'token') throw new HttpError(403, 'only the CLI (with the API token) can make a login code')
      const code = this.codes.issue()
      json(res, 200, { code, url: `${this.init.origin()}/dashboard/login?code=${code}`, expiresIn: DASHBOARD.loginCodeLifetime })
      return true
    }
    const pieces = PIECES.exec(route)
    if (pieces !== null) {
      const map = this.pieceMap(pieces[1])
      if (map === undefined) throw new HttpError(404, 'no swarm for that content id')
      json(res, 200, map)
      return true
    }
    return false
  }

  close (): void {
    this.events.close()
  }

  private cookieName (): string {
    return sessionCookieName(Number(new URL(this.init.origin()).port))
  }

  /** A swarm's pieces as the API sends them: a byte per piece (core/piece-map), base64. */
  private pieceMap (contentId: string): { contentId: string, pieceCount: number, encoding: 'base64', pieces: string } | undefined {
    const bytes = this.init.node.pieceMap?.(contentId)
    if (bytes === undefined) return undefined
    return { contentId, pieceCount: bytes.byteLength, encoding: 'base64', pieces: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64') }
  }

  /** What the pages show of the swarms they have selected: peers and piece map (one status with peers for all). */
  private swarmDetails (contentIds: ReadonlySet<string>): Map<string, object> {
    const status = this.init.node.status({ peers: true }) as { swarms?: Array<{ contentId: string, peerDetails?: unknown[] }> }
    const details = new Map<string, object>()
    for (const swarm of status.swarms ?? []) {
      if (!contentIds.has(swarm.contentId)) continue
      details.set(swarm.contentId, { contentId: swarm.contentId, peers: swarm.peerDetails ?? [], pieces: this.pieceMap(swarm.contentId) })
    }
    return details
  }
}

function json (res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' })
  res.end(JSON.stringify(body))
}
