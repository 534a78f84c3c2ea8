import { randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Short-lived secrets kept in memory: one-time login codes and the session ids a login turns
 * them into. Only their holder knows them; nothing is written to disk or logged.
 */
export class SecretBook {
  /** secret → when it stops being valid (ms since the epoch); in insertion order. */
  private readonly secrets = new Map<string, number>()

  constructor (private readonly init: { lifetimeMs: number, max: number, bytes: number, now?: () => number }) {}

  /** A fresh random secret (base64url), valid for the lifetime; the oldest goes when the book is full. */
  issue (): string {
    this.prune()
    while (this.secrets.size >= this.init.max) this.secrets.delete(this.secrets.keys().next().value as string)
    const secret = randomBytes(this.init.bytes).toString('base64url')
    this.secrets.set(secret, this.now() + this.init.lifetimeMs)
    return secret
  }

  /** Whether `secret` is held and not expired. */
  valid (secret: string | undefined): boolean {
    const key = this.find(secret)
    return key !== undefined && (this.secrets.get(key) ?? 0) > this.now()
  }

  /** Valid once: true and forgotten if `secret` is held and not expired. */
  redeem (secret: string | undefined): boolean {
    const ok = this.valid(secret)
    const key = this.find(secret)
    if (key !== undefined) this.secrets.delete(key)
    return ok
  }

  get size (): number {
    this.prune()
    return this.secrets.size
  }

  /** The held secret equal to `secret`, compared in constant time per candidate. */
  private find (secret: string | undefined): string | undefined {
    if (secret === undefined || secret.length === 0 || secret.length > 128) return undefined
    const given = Buffer.from(secret)
    for (const key of this.secrets.keys()) {
      const held = Buffer.from(key)
      if (held.length === given.length && timingSafeEqual(held, given)) return key
    }
    return undefined
  }

  private prune (): void {
    const now = this.now()
    for (const [key, until] of this.secrets) if (until <= now) this.secrets.delete(key)
  }

  private now (): number {
    return this.init.now?.() ?? Date.now()
  }
}

/** The session cookie's name: per port, since browsers share a host's cookies across its ports. */
export function sessionCookieName (port: number): string {
  return `shoal_session_${port}`
}

/** The value of cookie `name` in a Cookie header. */
export function readCookie (header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** Set-Cookie for a session: script cannot read it, other sites never send it. */
export function sessionCookie (name: string, id: string, lifetimeMs: number): string {
  return `${name}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor(lifetimeMs / 1000)}`
}
