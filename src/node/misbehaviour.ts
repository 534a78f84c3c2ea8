import { peerIdFromString } from '@libp2p/peer-id'
import type { AddressGuard } from './address-guard.js'
import type { BanList } from './bans.js'
import type { Libp2p, Logger } from '@libp2p/interface'

/** A peer broke a rule; `fatal`: the peer is banned for it. */
export type OnMisbehaviour = (peer: string, reason: string, fatal: boolean) => void

export interface MisbehaviourInit {
  bans: Pick<BanList, 'isBanned' | 'ban'>
  addressGuard: Pick<AddressGuard, 'recordBan'>
  libp2p: Pick<Libp2p, 'getConnections' | 'hangUp'>
  /** Counts a ban in the node's metrics. */
  countBan: (reason: string) => void
  log: Logger
}

/**
 * What the node does when a peer misbehaves: log it, and for a fatal breach ban the peer
 * (once), count the ban, record it against the peer's addresses, and hang up.
 */
export function onMisbehaviourOf (init: MisbehaviourInit): OnMisbehaviour {
  const { bans, addressGuard, libp2p, countBan, log } = init
  return (peer, reason, fatal) => {
    log('peer %s misbehaved: %s', peer, reason)
    if (!fatal || bans.isBanned(peer)) return
    bans.ban(peer, reason)
    countBan(reason)
    log.error('banned %s: %s', peer, reason)
    const peerId = peerIdFromString(peer)
    // peer ids are free, addresses are not: enough bans at one address and it is refused
    addressGuard.recordBan(libp2p.getConnections(peerId).map(c => c.remoteAddr))
    void libp2p.hangUp(peerId).catch(() => {})
  }
}
