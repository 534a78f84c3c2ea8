import type { FoundPeer, ManifestAnswer, PeerNetwork, SearchReport } from './types.js'

/**
 * What one `get`'s manifest search has seen: the peers connected during it, the providers the
 * DHT named, the peers asked and what each answered last. Cheap to keep (a few sets of peer
 * ids, bounded by the peers a search can meet) and to report.
 */
export class SearchTally {
  private readonly startedAt: number
  private readonly connected = new Set<string>()
  private readonly providers = new Set<string>()
  private readonly asked = new Set<string>()
  private readonly answers = new Map<string, ManifestAnswer>()

  constructor (private readonly network: Pick<PeerNetwork, 'connectivity'>, private readonly now: () => number = Date.now) {
    this.startedAt = now()
  }

  found (peer: FoundPeer): void {
    if (peer.source === 'connected') this.connected.add(peer.peerId)
    else this.providers.add(peer.peerId)
  }

  asking (peer: string): void {
    this.asked.add(peer)
    this.answers.delete(peer)
  }

  /** `peer` failed to give the manifest with `err`. */
  answered (peer: string, err: unknown): void {
    this.answers.set(peer, manifestAnswerOf(err))
  }

  report (): SearchReport {
    const connectivity = this.network.connectivity()
    const answers: Record<ManifestAnswer, number> = { 'not-found': 0, stalled: 0, bad: 0, refused: 0, unreachable: 0 }
    for (const answer of this.answers.values()) answers[answer]++
    return {
      ...connectivity,
      elapsed: this.now() - this.startedAt,
      connectedPeers: Math.max(this.connected.size, connectivity.connections),
      providers: this.providers.size,
      asked: this.asked.size,
      answers
    }
  }
}

/** A manifest request's failure, by the error's name (never its class). */
export function manifestAnswerOf (err: unknown): ManifestAnswer {
  switch ((err as Error | undefined)?.name) {
    case 'UnknownContentError': return 'not-found'
    case 'PeerStalledError': return 'stalled'
    case 'ManifestMismatchError':
    case 'ProtocolViolationError':
    case 'InvalidManifestError': return 'bad'
    // it does not speak the manifest protocol, or reset the stream
    case 'UnsupportedProtocolError':
    case 'StreamResetError':
    case 'StreamAbortedError': return 'refused'
    default: return 'unreachable'
  }
}
