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
 * they expire.
 */
export class BanList {
  private readonly bans = new Map<string, Ban>()
  private readonly now: () => number
  private saving: Promise<void> = Promise.resolve()

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
    this.bans.set(peerId, { peerId, reason, until: this.now() + this.init.durationMs })
    this.save()
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
    for (const ban of parseBans(text)) if (ban.until > now) this.bans.set(ban.peerId, ban)
    if (text.length > 0 && this.bans.size === 0) this.init.log?.('no bans left in force in %s', this.init.path)
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
