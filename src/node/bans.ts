import type { ConnectionGater, PeerId } from '@libp2p/interface'

export interface Ban {
  peerId: string
  reason: string
  until: number
}

/**
 * Peers we refuse, by peer id, enforced by the libp2p connection gater: no dial to them and
 * no connection from them once their identity is known (after Noise).
 */
export class BanList {
  private readonly bans = new Map<string, Ban>()

  constructor (private readonly durationMs: number) {}

  ban (peerId: string, reason: string): void {
    this.bans.set(peerId, { peerId, reason, until: Date.now() + this.durationMs })
  }

  isBanned (peerId: string): boolean {
    const ban = this.bans.get(peerId)
    if (ban === undefined) return false
    if (ban.until > Date.now()) return true
    this.bans.delete(peerId)
    return false
  }

  list (): Ban[] {
    return [...this.bans.values()].filter(b => this.isBanned(b.peerId))
  }

  gater (): ConnectionGater {
    const denied = (peer: PeerId): boolean => this.isBanned(peer.toString())
    return {
      denyDialPeer: denied,
      denyInboundEncryptedConnection: denied,
      denyOutboundEncryptedConnection: denied
    }
  }
}
