/**
 * The only place Shoal's defaults live. Every other module receives resolved values.
 * Units: bytes for sizes, milliseconds for durations.
 */

const KiB = 1024
const MiB = 1024 * KiB

export const DEFAULTS = {
  dataDir: './data',
  listen: ['/ip4/0.0.0.0/tcp/4001'],
  bootstrap: [] as string[],
  api: { host: '127.0.0.1', port: 0 },

  content: {
    /**
     * 0 = automatic: the smallest power of two from 256 KiB up to 16 MiB that keeps the
     * piece count at or under `targetPieceCount`. Large pieces cut per-piece overhead
     * (a request, a hash, a write, a have per piece) and keep the manifest small; the
     * piece-count target keeps enough pieces for many peers to trade.
     */
    pieceSize: 0,
    minPieceSize: 256 * KiB,
    maxPieceSize: 16 * MiB,
    targetPieceCount: 2048
  },

  dht: {
    enabled: true,
    /** Shoal's own Kademlia id: Shoal nodes form their own DHT, apart from IPFS's. */
    protocol: '/shoal/kad/1.0.0'
  },

  limits: {
    /** Bytes of piece data requested from one peer and not yet received. */
    maxInflightBytesPerPeer: 8 * MiB,
    /** Requests a peer may queue with us before further ones are rejected. */
    maxQueuedRequestsPerPeer: 256,
    maxPeersPerSwarm: 50,
    maxConnections: 300,
    /**
     * Inbound connections a second accepted from one IP address (libp2p's default is 5, too
     * few for a LAN or a machine running many nodes), and connection handshakes in progress at once.
     */
    inboundConnectionRate: 32,
    maxPendingConnections: 64,
    /** Peers of one swarm we upload to at once, one of them chosen at random (optimistic unchoke). */
    uploadSlots: 8,
    /** Bytes per second the node uploads, over all swarms; 0 = unlimited. */
    uploadRate: 0,
    /** Bytes per second the node downloads, over all swarms; 0 = unlimited. */
    downloadRate: 0,
    /** Largest manifest accepted from a peer (and made by `add`). */
    maxManifestSize: 16 * MiB,
    /** Bad pieces from one peer before it is disconnected and refused. */
    maxBadPieces: 3,
    /** How long a peer that sent bad data or broke the protocol is refused (kept across restarts). */
    banDuration: 60 * 60 * 1000
  },

  timeouts: {
    /** How long `get` waits to find a first peer with the content. */
    discovery: 60_000,
    /** A requested piece that has not arrived after this long goes to another peer. */
    request: 30_000,
    /** A handshake that has not completed after this long closes the stream. */
    handshake: 10_000,
    /** Time between provider searches while a swarm is incomplete. */
    rediscoverInterval: 10_000,
    /** Time between checks of seeded files' sizes and modification times (a change means a re-verify). */
    seedCheck: 10_000
  }
} as const

/** How a download's have record (dataDir/swarms/<cid>.have) follows its verified pieces. */
export const PERSISTENCE = {
  /**
   * ms from the first piece stored after a checkpoint to the next checkpoint: a crash loses
   * at most this long of download (plus one save), and a download makes at most 1000/this
   * checkpoints a second (each an fdatasync of the files written, and of the record).
   */
  checkpointInterval: 100,
  /** Pieces stored since the last checkpoint that trigger one at once. */
  checkpointPieces: 256
} as const

/** Caps on the config file itself. */
export const CONFIG_LIMITS = {
  /** Objects and arrays nest at most this deep (a real config nests 3 levels). */
  maxDepth: 32
} as const

/** Caps on the local control API's requests: every request is a small JSON object. */
export const API_LIMITS = {
  maxBodyBytes: 64 * KiB,
  maxUrlLength: 1024,
  /** Total bytes of request headers (node's parser answers 431 past it). */
  maxHeaderBytes: 8 * KiB,
  /** Longest string field (paths, content ids). */
  maxStringLength: 4096,
  /** ms for a client to send its headers, and its whole request. */
  headersTimeout: 10_000,
  requestTimeout: 15_000
} as const

/** How the libp2p node looks after its connections. */
export const NETWORK = {
  /**
   * ms between liveness pings on every connection (libp2p's connection monitor; a failed ping
   * closes the connection). libp2p's 10 s opens a stream per connection every 10 s at both
   * ends: in a 33-node swarm that was 44% of all streams. Transfers notice a silent peer
   * sooner through their own request timeouts, and Yamux keeps idle connections open.
   */
  connectionPingInterval: 60_000
} as const

/** Wire-level caps, fixed by the protocol specs rather than configured per node. */
export const WIRE = {
  /** Piece data travels in frames of at most this many bytes (pnet and yamux favour small writes). */
  maxFrameData: 256 * KiB,
  /** Any non-piece frame above this is a protocol violation. */
  maxControlFrame: 64 * KiB
} as const

/** Peer scoring: offences a peer may commit before it is disconnected and banned. */
export const SCORING = {
  /**
   * Requests refused as NOT_AVAILABLE for pieces the peer announced (in its handshake
   * bitfield or a Have). An honest peer never does this: it announces only verified pieces
   * and never loses one, so this is a liar.
   */
  maxFalseClaims: 3,
  /**
   * Requests received while we choke the peer: before we ever unchoked it (an honest peer
   * waits for an Unchoke), or longer than `chokeGraceMs` after we choked it again (an honest
   * peer stops once it reads the Choke). Each is answered with Reject CHOKED; this many is a flood.
   */
  maxChokedRequests: 64,
  chokeGraceMs: 10_000,
  /**
   * Stalls: the peer unchoked us and holds our requests, but sent no piece data at all for
   * `timeouts.request`, or a piece it is sending has come slower than `minPieceRate` for that
   * long since its first byte. Counted once per check (a second); its timed-out requests go
   * to others. (Silence for a third of `timeouts.request` snubs a peer, which is no offence;
   * nor is a request waiting in its queue.)
   * An honest peer does not sit on our requests for that long while it has us unchoked: it
   * chokes us, rejects them, or sends (paced uploads go out in small runs). With the defaults
   * a silent peer is banned after ~100 s, a trickler after ~90 s.
   */
  maxStalls: 3,
  /** Bytes a second below which a piece coming for `timeouts.request` since its first byte counts as stalled. */
  minPieceRate: 256
} as const

/** What `shoal start` leaves until after the node answers: background work, spread out. */
export const START = {
  /**
   * ms before the DHT's first self-query (libp2p's default: 1 s), plus up to
   * `dhtSelfQueryJitter` at random. The self-query dials the ~20 peers closest to our id, each
   * a Noise handshake and identify at both ends (~20 ms CPU each): in a crowd starting at
   * once, work for every starting node and for every node already up. Nothing waits for it
   * (queries start from the bootstrap peers at once), so it runs well after start, spread
   * out, and partly over connections that real work (provider searches, transfers) has
   * opened by then. 32 nodes starting in batches of 8 beside a seeder used ~20% less CPU
   * with 10-20 s than with 1 s, and less again with 30-60 s.
   */
  dhtSelfQueryDelay: 30_000,
  dhtSelfQueryJitter: 30_000
} as const
