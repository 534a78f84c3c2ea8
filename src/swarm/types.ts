import type { SwarmState } from './swarm.js'
import type { CID } from 'multiformats/cid'

/** Status of one swarm, as `shoal status --json` shows it. */
export interface SwarmStatus {
  contentId: string
  name: string
  path: string
  directory: boolean
  /** Bytes of content. */
  size: number
  pieceSize: number
  pieceCount: number
  /** Pieces verified here. */
  piecesHave: number
  /**
   * 'partial': added from files that changed since; serves the pieces that still match.
   * 'checking': its files are being verified again.
   */
  state: SwarmState
  peers: number
  uploaded: number
  downloaded: number
  /** Piece bytes per second sent / received over the last few seconds. */
  uploadRate: number
  downloadRate: number
  /** When the node opened this swarm (this run), and when its download completed (ms since the epoch). */
  startedAt: number
  /** Copies of the whole content sent so far: uploaded / size, to two decimals (always in status). */
  seederCopies?: number
  /** Seconds left at the recent download rate; only while downloading and moving. */
  eta?: number
  completedAt?: number
  error?: string
  /** The selected files' paths, when a get fetches only some (`get --only`). */
  only?: string[]
  /** One entry per file, with its progress; only when asked for (`status --files`). */
  files?: FileStatus[]
  /** One entry per peer traded with; only when asked for (`status --peers`). */
  peerDetails?: PeerStatus[]
}

/** One file of a swarm, as `shoal status --json --files` shows it. */
export interface FileStatus {
  path: string
  size: number
  /** Fetched by this download (every file unless `get --only` chose some). */
  selected: boolean
  /** Its bytes verified and on disk. */
  bytesVerified: number
  /** Every byte of it is verified and on disk. */
  complete: boolean
}

/** One peer of a swarm, as `shoal status --json --peers` shows it. */
export interface PeerStatus {
  peerId: string
  /** Pieces it has, as far as it told us. */
  piecesHave: number
  seed: boolean
  /** Piece bytes received from / sent to it, in all and per second lately. */
  downloaded: number
  uploaded: number
  downloadRate: number
  uploadRate: number
  /** We refuse its requests (it has no upload slot with us). */
  choked: boolean
  /** It refuses our requests. */
  chokingUs: boolean
  /** It stopped answering our requests; they went to others. */
  snubbed: boolean
  /** Our requests out to it, and its requests queued with us. */
  requestsOut: number
  requestsQueued: number
  /** Who dialled: 'outbound' (we did) or 'inbound'; the node adds it from the peer's connection. */
  direction?: 'inbound' | 'outbound'
  /** The connection's remote multiaddr (without /p2p/). */
  remoteAddress?: string
  /** `direct`, or `relayed` through a circuit relay; absent when no connection is open to it. */
  connection?: 'direct' | 'relayed'
}

/** Progress of a `get`, delivered through `onProgress`. */
export type GetProgressEvent =
  /** Once as the search starts, then every SEARCH_REPORTS.interval while it goes on. */
  | { type: 'shoal:get:searching', contentId: string, search?: SearchReport }
  | { type: 'shoal:get:manifest', contentId: string, name: string, size: number, pieceCount: number }
  /** With `only`, `size` and `bytesHave` count the selected files' bytes. */
  | { type: 'shoal:get:progress', contentId: string, piecesHave: number, pieceCount: number, bytesHave: number, size: number, peers: number }
  | { type: 'shoal:get:complete', contentId: string, path: string }

/** Why a dial failed (see discovery/dial-failure). */
export type DialFailure = 'refused' | 'timeout' | 'encryption' | 'other'

/** What a peer answered when asked for a manifest, short of the manifest. */
export type ManifestAnswer = 'not-found' | 'stalled' | 'bad' | 'refused' | 'unreachable'

/** The node's links to the network now: what a search that finds nobody is explained by. */
export interface NetworkConnectivity {
  /** Peers connected now. */
  connections: number
  bootstrap: {
    /** The config's `bootstrap` addresses. */
    addresses: readonly string[]
    /** Of those peers, connected now. */
    connected: number
    /** Dials to them that failed since the node started, and the most telling reason why. */
    failedDials: number
    lastFailure?: DialFailure
  }
  /** The node has a swarm key: it reaches only nodes with the same key. */
  privateSwarm: boolean
  /** The config file the node runs on, to name in advice (absent for a config given in code). */
  configFile?: string
}

/** What a `get` has seen while looking for a manifest. */
export interface SearchReport extends NetworkConnectivity {
  /** ms since the search began. */
  elapsed: number
  /** Distinct peers connected at some point during the search. */
  connectedPeers: number
  /** Distinct peers the DHT named as providers of the content. */
  providers: number
  /** Distinct peers asked for the manifest. */
  asked: number
  /** Peers by their last answer (a peer asked and still answering counts in none). */
  answers: Record<ManifestAnswer, number>
}

export interface GetOptions {
  /** Where the content goes: the file for a file, the folder for a folder (relative to the working directory). */
  output?: string
  /** Without `output`: the folder in which the content's own name is used (never a name starting with a dot). Default: the working directory. */
  outputDir?: string
  /** Give up when no peer with the manifest is found within this many ms. */
  discoveryTimeout?: number
  /** Replace what is at the output path, if (and only if) a download of the same content id made it. */
  force?: boolean
  /** Fetch pieces in order (streaming, previews) rather than rarest first. */
  sequential?: boolean
  /**
   * Fetch only these files or folders of a folder content (paths within it; a folder takes
   * every file under it). A get of content being downloaded adds them to its selection; a get
   * without `only` takes every file. A path that names nothing is an UnknownPathError.
   */
  only?: readonly string[]
  onProgress?(event: GetProgressEvent): void
  signal?: AbortSignal
}

export interface AddOptions {
  /** Follow symbolic links inside a folder to the files they name (skipped by default). */
  followSymlinks?: boolean
  signal?: AbortSignal
}

export interface AddResult {
  contentId: string
  name: string
  size: number
  pieceCount: number
  path: string
  /** Symbolic links in the folder that were not followed (absent when there were none). */
  skippedLinks?: { count: number, first: string[] }
}

export interface CancelOptions {
  /** Delete what the download made (an added content's files are never deleted). */
  remove?: boolean
}

/** What `cancel` stopped, and what became of its files. */
export interface CancelResult {
  contentId: string
  /** The content's path. */
  path: string
  /** 'seed': added files, which stay; 'download': written by a get. */
  origin: 'seed' | 'download'
  /** Every piece was in. */
  complete: boolean
  /** The download's files were deleted. */
  removed: boolean
}

/** What the swarms need from the network; the node builds it from libp2p. */
export interface PeerNetwork {
  readonly localPeerId: string
  /**
   * Candidate peers for a content: connected peers first, then DHT providers as found. With
   * no peer connected, the node dials its bootstrap peers again at once.
   */
  findPeers(cid: CID, signal: AbortSignal, options?: FindPeersOptions): AsyncIterable<FoundPeer>
  /** Peers connected now (not banned): the first a new swarm tries, at once. */
  connectedPeers(): string[]
  /**
   * Open a piece exchange with `peer` for a swarm. Settles within `timeouts.handshake`
   * whatever the peer does (the finder counts on it to free the peer's slot).
   */
  connect(peer: string, contentId: string, signal: AbortSignal): Promise<void>
  /** Ask `peer` for the manifest of `cid`; only bytes that hash to `cid` are returned. */
  fetchManifest(peer: string, cid: CID, signal: AbortSignal): Promise<Uint8Array>
  /** Announce that we can serve `cid` (in the background). */
  provide(cid: CID): void
  connectivity(): NetworkConnectivity
}

export interface FindPeersOptions {
  /** Awaited after some connected peers were named, before the DHT is asked for providers. */
  providersAfter?: () => Promise<void>
}

/** A candidate for a content: a peer connected now, or one the DHT named as a provider. */
export interface FoundPeer {
  peerId: string
  source: 'connected' | 'provider'
}
