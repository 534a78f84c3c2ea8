import { MAX_REMEMBERED } from './constants.js'

/** Per swarm, the peers seen in it lately (now, or until `remember` ms after they left), bounded. */
export class RecentPeers {
  private readonly swarms = new Map<string, Map<string, number>>()

  constructor (private readonly remember: number) {}

  seen (contentId: string, peerId: string, now = Date.now()): void {
    const peers = this.swarms.get(contentId) ?? new Map<string, number>()
    peers.delete(peerId) // re-inserted last: the map stays in order of last sighting
    peers.set(peerId, now)
    if (peers.size > MAX_REMEMBERED) peers.delete(peers.keys().next().value as string)
    this.swarms.set(contentId, peers)
  }

  has (contentId: string, peerId: string): boolean {
    return this.swarms.get(contentId)?.has(peerId) === true
  }

  /** Most recently seen first. */
  list (contentId: string): string[] {
    return [...(this.swarms.get(contentId)?.keys() ?? [])].reverse()
  }

  prune (now = Date.now()): void {
    for (const [contentId, peers] of this.swarms) {
      for (const [peerId, at] of peers) if (now - at > this.remember) peers.delete(peerId)
      if (peers.size === 0) this.swarms.delete(contentId)
    }
  }
}
