import { fileProgress, selectionPaths } from '../core/selection.js'
import type { Swarm } from './swarm.js'
import type { SwarmStatus } from './types.js'

/**
 * One swarm as a protocol module sees it (`components.swarms`): a snapshot of the status
 * below, with its peers by id.
 */
export type SwarmInfo = Readonly<Pick<SwarmStatus, 'contentId' | 'name' | 'state' | 'size' | 'pieceCount' | 'piecesHave'>> & {
  /** Peer ids of the peers trading in this swarm now. */
  readonly peers: readonly string[]
}

/** The one projection of a swarm's state: `status --json`, `status --peers` and the swarms view. */
export function swarmStatus (swarm: Swarm, options: { peers?: boolean, files?: boolean } = {}): SwarmStatus {
  const only = selectionPaths(swarm.manifest, swarm.selection)
  return {
    contentId: swarm.contentId,
    name: swarm.manifest.name,
    path: swarm.path,
    directory: swarm.manifest.directory,
    size: swarm.layout.totalSize,
    pieceSize: swarm.manifest.pieceSize,
    pieceCount: swarm.pieceCount,
    piecesHave: swarm.have.count,
    state: swarm.state,
    peers: swarm.peers.size,
    uploaded: swarm.uploaded,
    downloaded: swarm.downloaded,
    uploadRate: Math.round(swarm.uploadMeter.rate()),
    downloadRate: Math.round(swarm.downloadMeter.rate()),
    startedAt: swarm.startedAt,
    seederCopies: seederCopies(swarm),
    ...etaOf(swarm),
    ...(swarm.completedAt === undefined ? {} : { completedAt: swarm.completedAt }),
    ...(swarm.error === undefined ? {} : { error: swarm.error.message }),
    ...(only === undefined ? {} : { only }),
    ...(options.files === true ? { files: fileProgress(swarm.manifest, swarm.selection, (piece, file) => swarm.holds(piece, file)) } : {}),
    ...(options.peers === true ? { peerDetails: [...swarm.peers.values()].map(s => s.status()) } : {})
  }
}

export function swarmInfo (swarm: Swarm): SwarmInfo {
  const { contentId, name, state, size, pieceCount, piecesHave } = swarmStatus(swarm)
  return Object.freeze({ contentId, name, state, size, pieceCount, piecesHave, peers: Object.freeze([...swarm.peers.keys()]) })
}

/** Bytes of the pieces verified so far (the last piece may be short). */
export function bytesHave (swarm: Swarm): number {
  const full = swarm.have.count * swarm.layout.pieceSize
  const last = swarm.pieceCount - 1
  return swarm.have.has(last) ? full - swarm.layout.pieceSize + swarm.layout.pieceLength(last) : full
}

/** Copies of the whole content sent so far (uploaded / size), to two decimals. */
function seederCopies (swarm: Swarm): number {
  const size = swarm.layout.totalSize
  return size === 0 ? 0 : Math.round(swarm.uploaded / size * 100) / 100
}

/** Seconds left at the recent download rate: only for a download that is moving. */
function etaOf (swarm: Swarm): { eta?: number } {
  const rate = swarm.downloadMeter.rate()
  if (swarm.state !== 'downloading' || rate < 1) return {}
  return { eta: Math.ceil((swarm.layout.totalSize - bytesHave(swarm)) / rate) }
}
