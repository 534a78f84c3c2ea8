import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { atomicWrite } from '../utils/atomic-write.js'
import type { ConnectionGater, Logger, PeerId } from '@libp2p/interface'

export interface Ban {
  peerId: string
  reason: string
  /** When the ban ends, in ms since the epoch. */
  until: number
}

export interface BanListInit {
  /** How long a ban lasts, in ms. */
  durationMs: number
  /** Where bans are kept across restarts (`dataDir/bans.json`); in memory only without it. */
  path?: string
  /** Most bans kept; past it the oldest goes. @default unbounded */
  maxBans?: number
  /** ms a ban may wait to be saved with those that follow it (one write for a burst). @default 0 */
  saveDelayMs?: number
  log?: Logger
  now?: () => number
}

interface BanFileV1 {
  version: 1
  bans: Ban[]
}

/** The file bans are kept in, under the node's dataDir. */
export function banFilePath (dataDir: string): string {
  return join(dataDir, 'bans.json')
}

/**
 * Peers we refuse, by peer id, enforced by the libp2p connection gater: no dial to them and
 * no connection from them once their identity is known (after Noise). Bans are saved to a
 * file (atomically, mode 0600) and loaded at start, so they hold across restarts until
 * they expire. Peer ids are free, so the list is bounded (the oldest ban goes first) and
 * saved in batches: a stream of fresh identities costs one write a `saveDelayMs`, not one each.
 */
export class BanList {
  private readonly bans = new Map<string, Ban>()
  private readonly now: () => number
  private saving: Promise<void> = Promise.resolve()
  private saveTimer?: NodeJS.Timeout

  constructor (private readonly init: BanListInit) {
    this.now = init.now ?? Date.now
  }

  /** A ban list holding the unexpired bans saved at `init.path`; a missing or damaged file is an empty list. */
  static async open (init: BanListInit): Promise<BanList> {
    const list = new BanList(init)
    await list.load()
    return list
  }

  ban (peerId: string, reason: string): void {
    // re-inserted: the map's order is the bans' age, oldest first
    this.bans.delete(peerId)
    this.bans.set(peerId, { peerId, reason, until: this.now() + this.init.durationMs })
    this.trim()
    this.scheduleSave()
  }

  isBanned (peerId: string): boolean {
    const ban = this.bans.get(peerId)
    if (ban === undefined) return false
    if (ban.until > this.now()) return true
    this.bans.delete(peerId)
    return false
  }

  list (): Ban[] {
    return [...this.bans.values()].filter(b => this.isBanned(b.peerId))
  }

  /** Resolves once every ban made so far is on disk. */
  async flush (): Promise<void> {
    if (this.saveTimer !== undefined) {
      clearTimeout(this.saveTimer)
      this.saveTimer = undefined
      this.save()
    }
    await this.saving
  }

  gater (): ConnectionGater {
    const denied = (peer: PeerId): boolean => this.isBanned(peer.toString())
    return {
      denyDialPeer: denied,
      denyInboundEncryptedConnection: denied,
      denyOutboundEncryptedConnection: denied
    }
  }

  private async load (): Promise<void> {
    if (this.init.path === undefined) return
    let text: string
    try {
      text = await readFile(this.init.path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.init.log?.error('cannot read %s - %e', this.init.path, err)
      return
    }
    const now = this.now()
    // oldest first, as bans made in this run are kept
    const bans = parseBans(text).filter(b => b.until > now).sort((a, b) => a.until - b.until)
    for (const ban of bans) this.bans.set(ban.peerId, ban)
    this.trim()
    if (text.length > 0 && this.bans.size === 0) this.init.log?.('no bans left in force in %s', this.init.path)
  }

  /** Past `maxBans`, drop the oldest bans (every ban lasts as long: they are also the first to expire). */
  private trim (): void {
    const max = this.init.maxBans ?? Infinity
    for (const peerId of this.bans.keys()) {
      if (this.bans.size <= max) break
      this.bans.delete(peerId)
    }
  }

  /** Save soon, with whatever other bans come meanwhile. */
  private scheduleSave (): void {
    if (this.saveTimer !== undefined) return
    const delay = this.init.saveDelayMs ?? 0
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined
      this.save()
    }, delay)
    // a pending save never holds the process open; stop() flushes
    this.saveTimer.unref()
  }

  /** Write the bans in force; writes are serialised, so the last one wins. */
  private save (): void {
    const path = this.init.path
    if (path === undefined) return
    this.saving = this.saving.then(async () => {
      const body: BanFileV1 = { version: 1, bans: this.list() }
      await atomicWrite(path, JSON.stringify(body, null, 2), 0o600)
    }).catch((err: Error) => { this.init.log?.error('cannot save bans to %s - %e', path, err) })
  }
}

/** The well-formed bans of a ban file; anything else in it is ignored. */
function parseBans (text: string): Ban[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return []
  }
  const bans = (parsed as Partial<BanFileV1>)?.bans
  if ((parsed as Partial<BanFileV1>)?.version !== 1 || !Array.isArray(bans)) return []
  return bans.filter((b): b is Ban => typeof b?.peerId === 'string' && typeof b.reason === 'string' && Number.isFinite(b.until))
}
