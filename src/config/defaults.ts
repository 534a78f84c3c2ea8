import { MANIFEST_LIMITS } from '../core/manifest-limits.js'

/**
 * The only place Shoal's defaults and tunables live. Every other module receives resolved
 * values: core/ and storage/ as parameters, never by importing this file. `DEFAULTS` holds
 * the config file's keys (config/schema.ts applies them); the named objects below hold the
 * tunables no config key sets. A protocol's own wire caps and ids live in its constants.ts.
 * Units: bytes for sizes, milliseconds for durations.
 */

const KiB = 1024
const MiB = 1024 * KiB

export const DEFAULTS = {
  dataDir: './data',
  listen: ['/ip4/0.0.0.0/tcp/4100'],
  bootstrap: [] as string[],
  /**
   * Dial loopback and link-local addresses that peers name (peer exchange, the DHT), even when
   * the node listens on no such address: for labs. A node listening on loopback (or link-local)
   * dials such addresses anyway, and `bootstrap` addresses are always dialled as given.
   */
  dialLocalAddresses: false,
  api: { host: '127.0.0.1', port: 0 },
  /**
   * What a `metrics` key in the config fills in for what it leaves out: loopback, at
   * Prometheus' usual port for an exporter. Without the key there is no listener.
   */
  metrics: { host: '127.0.0.1', port: 9464 },
  /** The read-only HTTP gateway (`GET /content/<cid>[/<path>]`): loopback, any free port. */
  gateway: { host: '127.0.0.1', port: 0 },

  content: {
    /** 0 = automatic (see ADDING); otherwise a power of two within MANIFEST_LIMITS' piece sizes. */
    pieceSize: 0
  },

  dht: {
    enabled: true,
    /** Shoal's own Kademlia id: Shoal nodes form their own DHT, apart from IPFS's. */
    protocol: '/shoal/kad/1.0.0'
  },

  /** Find peers on the local network by multicast DNS (libp2p's announcement, nothing more). */
  mdns: { enabled: true },

  /** Peers of a swarm name its other members to each other (protocols/peer-exchange), as BitTorrent's PEX. */
  peerExchange: { enabled: true },

  /** Ask the router for a port mapping by UPnP: off unless configured (it opens a port on the router). */
  nat: { upnp: false },

  relay: {
    /** Serve as a circuit relay v2 for peers that cannot be dialled (off: a relay carries others' traffic). */
    server: false,
    /** Peers that may hold a reservation (a relayed address) on this relay at once. */
    maxReservations: 15,
    /** Bytes one relayed connection may carry each way before the relay closes it; 0 = no limit. */
    dataLimit: 0,
    /** ms a relayed connection may last before the relay closes it; 0 = no limit. */
    durationLimit: 0
  },

  limits: {
    /** Bytes of piece data requested from one peer and not yet received. */
    maxInflightBytesPerPeer: 8 * MiB,
    /** Requests a peer may queue with us before further ones are rejected. */
    maxQueuedRequestsPerPeer: 256,
    /**
     * Peers traded with in one swarm, of whom a downloading swarm dials PEER_FINDING.dialShare
     * itself. 80 rather than 50: room left for the peers that dial us keeps a flash crowd one
     * well-mixed swarm (see PEER_FINDING.dialShare).
     */
    maxPeersPerSwarm: 80,
    maxConnections: 300,
    /**
     * Inbound connections a second accepted from one IP address (libp2p's default is 5, too
     * few for a LAN or a machine running many nodes), and connection handshakes in progress at once.
     */
    inboundConnectionRate: 32,
    maxPendingConnections: 64,
    /**
     * Inbound connections open (or in their handshake) from one IP address (IPv6: one /64):
     * enough for a household of Shoal nodes behind one NAT, few enough that one address
     * cannot fill `maxConnections` with identities that cost it nothing.
     */
    maxConnectionsPerAddress: 8,
    /**
     * Peers of one swarm we upload to at once, one of them chosen at random (optimistic unchoke).
     * 6, not 8: each copy goes out at a sixth of the upload, so a new piece is passed on sooner
     * (with SWARM.requestQueueSeconds 0.5, the simulator's flash crowd of 1000 peers took 1.89x
     * the bound with 8 slots, 1.66x with 6, 1.58x with 4; 4 and 5 slowed the last leecher under
     * churn, a newcomer waiting longer for a slot).
     */
    uploadSlots: 6,
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

/** How `add` reads content and, when `content.pieceSize` is 0, picks its piece size. */
export const ADDING = {
  /**
   * The automatic piece size is the smallest power of two from `minAutoPieceSize` up to
   * `maxAutoPieceSize` that keeps the piece count at or under `targetPieceCount`. Large pieces
   * cut per-piece overhead (a request, a hash, a write, a have per piece) and keep the
   * manifest small; the piece-count target keeps enough pieces for many peers to trade.
   * (A manifest may hold smaller pieces, down to MANIFEST_LIMITS.minPieceSize, when a config
   * sets `content.pieceSize`.)
   */
  minAutoPieceSize: 256 * KiB,
  maxAutoPieceSize: MANIFEST_LIMITS.maxPieceSize,
  targetPieceCount: 2048,
  /** Bytes read at a time while hashing content. */
  readBufferBytes: 1 * MiB
} as const

/** How a download's have record (dataDir/swarms/<cid>.have) follows its verified pieces. */
export const PERSISTENCE = {
  /**
   * ms from the first piece stored after a checkpoint to the next checkpoint: a killed process
   * loses at most this long of download (plus one save). Most checkpoints are quick (a record
   * written without fsync, claiming its newest pieces as not yet durable).
   */
  checkpointInterval: 100,
  /** Pieces stored since the last checkpoint that trigger one at once. */
  checkpointPieces: 256,
  /**
   * ms between durable checkpoints (an fdatasync of the files written, then the record with
   * fsyncs): a power loss loses at most this long of download, and a restart after a crash
   * re-verifies the pieces recorded since (at most this long's, or `durablePieces`).
   */
  durableInterval: 2000,
  /** Pieces recorded since the last durable checkpoint that make the next one durable. */
  durablePieces: 512
} as const

/** Caps on the config file itself. */
export const CONFIG_LIMITS = {
  /** Objects and arrays nest at most this deep (a real config nests 3 levels). */
  maxDepth: 32
} as const

/** Prometheus metrics (`GET /metrics`, and the config's opt-in `metrics` listener). */
export const METRICS = {
  /** Upper bounds (seconds) of the piece round-trip histogram's buckets: 5 ms to a minute. */
  roundTripBuckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
} as const

/** Caps on the local control API's requests (every request is a small JSON object), and its timers. */
export const API_LIMITS = {
  maxBodyBytes: 64 * KiB,
  maxUrlLength: 1024,
  /** Total bytes of request headers (node's parser answers 431 past it). */
  maxHeaderBytes: 8 * KiB,
  /** Longest string field (paths, content ids). */
  maxStringLength: 4096,
  /** ms for a client to send its headers, and its whole request. */
  headersTimeout: 10_000,
  requestTimeout: 15_000,
  /** ms between checks of those two timeouts (node's default is every 30 s). */
  timeoutCheckInterval: 1000,
  /** ms between progress lines streamed to a `get`, at least. */
  progressInterval: 100
} as const

/** The web dashboard the API serves (`shoal dashboard`) and its live event stream. */
export const DASHBOARD = {
  /** ms a login code from `shoal dashboard` can be used (once). */
  loginCodeLifetime: 60_000,
  /** Login codes waiting to be used at once; the oldest goes first. */
  maxLoginCodes: 16,
  /** Random bytes in a login code (144 bits) and in a session id (256 bits). */
  loginCodeBytes: 18,
  sessionIdBytes: 32,
  /** ms a dashboard session lasts from its login. */
  sessionLifetime: 12 * 60 * 60_000,
  /** Sessions held at once; the oldest goes first. */
  maxSessions: 32,
  /** ms between status snapshots on the event stream (at most two a second). */
  eventInterval: 500,
  /** ms between comment lines that keep a quiet event stream open. */
  eventKeepAlive: 15_000,
  /** Event streams open at once: a tab more than that gets 503. */
  maxEventStreams: 8,
  /** Bytes a slow event client may have unsent before it misses snapshots. */
  maxEventBacklog: 1024 * 1024
} as const

/** How the libp2p node looks after its connections. */
export const NETWORK = {
  /**
   * ms between liveness pings on every connection (libp2p's connection monitor; a failed ping
   * closes the connection). libp2p's 10 s opens a stream per connection every 10 s at both
   * ends: in a 33-node swarm that was 44% of all streams. Transfers notice a silent peer
   * sooner through their own request timeouts, and Yamux keeps idle connections open.
   */
  connectionPingInterval: 60_000,
  /** ms `shoal connect` waits for a dial and its handshakes before saying the peer is unreachable. */
  connectTimeout: 15_000,
  /** Peers found by mDNS dialled at once (a LAN of many nodes answers together). */
  lanDialConcurrency: 4,
  /** ms a dial to a peer found by mDNS may take. */
  lanDialTimeout: 10_000,
  /** ms before a peer found by mDNS whose dial failed is dialled again (mDNS answers every 10 s). */
  lanRetryAfter: 60_000,
  /** Peers found by mDNS whose dial failed, remembered. */
  lanMaxTracked: 1000
} as const

/** What a ticket (`shoal ticket`) may hold: it is read as untrusted input, so every part is capped. */
export const TICKET = {
  /** Characters of the whole text. */
  maxLength: 4096,
  /** Addresses in one ticket (more of the node's addresses are left out). */
  maxAddresses: 16,
  maxAddressBytes: 256,
  maxContentIdBytes: 128
} as const

/** Circuit relays: how a node behind a NAT uses one, and a relay's stand-ins for "no limit". */
export const RELAYING = {
  /** ms a dial back to a peer met through a relay may take before it stays relayed. */
  dialBackTimeout: 10_000,
  /** Relays a node behind a NAT holds a reservation on at once: a second keeps it reachable while one restarts. */
  maxRelays: 2,
  /** Tries at a reservation on a relay, and ms between them. */
  reserveAttempts: 5,
  reserveRetry: 1000,
  /** The data limit a relay applies when only its duration is limited: more than any transfer. */
  unlimitedData: 2n ** 62n,
  /** The duration a relay applies when only its data is limited: the longest timer node has (~24.8 days). */
  unlimitedDuration: 2_147_483_647
} as const

/** How the DHT and the bootstrap peers are kept in use. */
export const DISCOVERY = {
  bootstrap: {
    /**
     * ms to the bootstrap keeper's first look, after libp2p's own dial at start: that dial may
     * take a few seconds on a busy machine, and a second dial meanwhile would open a second connection.
     */
    firstCheck: 5000,
    /** First pause before a failed bootstrap dial is tried again; it doubles up to `maxRetry`. */
    firstRetry: 1000,
    maxRetry: 60_000,
    /**
     * ms a connection to a bootstrap peer must last before its back-off starts over: one hung up
     * sooner (a full node making room, see IDENTITIES.spareConnections) keeps the pause growing,
     * as newcomers refused outright do, so that its dependents do not take its free places first.
     */
    stableAfter: 30_000
  },
  announce: {
    /** ms a provide may take. */
    provideTimeout: 60_000,
    /** ms between re-announcements of everything (provider records expire on the DHT). */
    reannounceInterval: 60 * 60 * 1000,
    /**
     * A download is announced on the DHT this many ms after its first verified piece (plus up
     * to half again at random), or up to `completeDelay` ms at random once its completion is on
     * record, whichever comes first. Meanwhile its swarm's peers name it to each other and to
     * newcomers (peer exchange). Each announcement walks the DHT and stores a record on its
     * closest nodes; in a small network that is every node. In the netns lab (16 warm
     * leechers, 64 MiB, 40 Mbit/s), leechers announcing at their first piece made every node
     * answer 16 walks at the swarm's busiest moment: 1.71-1.79x the bound (43-45 CPU s)
     * against 1.36-1.43x (36-38) announced at completion; and those announcing the moment they
     * completed held up the last ones (their last 5 s moved little with both cores busy).
     */
    partialDelay: 60_000,
    /** See partialDelay. */
    completeDelay: 20_000
  }
} as const

/** How an incomplete swarm looks for peers. */
export const PEER_FINDING = {
  /** ms before a peer that refused a swarm, or could not be reached, is tried again. */
  retryAfter: 5_000,
  /**
   * First pause between provider searches; it doubles up to `timeouts.rediscoverInterval`,
   * and a search that named no peer we did not know already is followed by the longest pause
   * (its own walk connected us to the DHT's nodes, and each is offered as it connects: in the
   * netns lab at N = 16, 1.60-1.64x the bound against 1.87-2.16x, and a tenth less CPU).
   * Peers that connect meanwhile are offered at once, so later searches only catch what the
   * DHT knows and nobody told us: in a swarm of dozens of nodes, every node's DHT queries cost
   * every other node CPU (a 33-node swarm ran twice as long with a first pause of 500 ms).
   */
  firstPause: 2000,
  /** ms of random delay before the first search. */
  firstJitter: 1000,
  /**
   * A swarm that a peer connected at its start trades with is fed: it asks the DHT only
   * `timeouts.rediscoverInterval` after it opened, or at once when it has no peer or a wanted
   * piece none of its peers has (Bitswap asks connected peers first the same way). Each
   * search of a fed swarm that names nobody new doubles the wait before its next, up to this
   * many ms (libtorrent asks the DHT once as a download starts, then every 15 minutes): the
   * DHT has told what it knows, and each walk costs every node on it. In the netns lab (17
   * nodes, 64 MiB, 40 Mbit/s) the leechers walked 2-3 times each and took 2.32-2.56x the bound;
   * walking once, 2.12-2.43x (three runs each, in turn); not at all, 1.99-2.06x.
   */
  maxQuiet: 5 * 60_000,
  /**
   * ms between DHT searches of a fed swarm whose peers name the swarm's other members to it
   * (peer exchange, on by default): they tell it what a search would, at no cost to the DHT's
   * other nodes. In the netns lab at N = 16 with warm nodes, the one search a fed leecher made
   * 10 s in took the swarm from 1.54-1.58x the bound to 1.83-1.89x (CPU 39-40 -> 47-48 s).
   */
  toldQuiet: 5 * 60_000,
  /** ms the first search waits for the peers connected at the start to answer (each settles within the handshake timeout). */
  connectedWait: 3000,
  /**
   * Share of `limits.maxPeersPerSwarm` a downloading swarm fills by dialling peers itself (the
   * rest is left to peers that dial it), and the count from which it searches again only while
   * it lacks a source of some wanted piece (then it dials up to the limit). Where every node
   * dials until it is nearly full, a flash crowd's first peers are full at once and those that
   * come after can reach only each other: the swarm splits into groups joined by few links,
   * and pieces cross between them slowly. The simulator's flash crowd of 1,000 (10,000) peers,
   * dialling 25 of 50 places (3/4 of the peers full): 1.47x (1.78x) the bound; 15 of 50: 1.25-1.29x
   * (1.39x); 45 of 50: 1.76x; 24 of 80: 1.23-1.24x (1.33x); 30 of 120: 1.29x at 10,000.
   */
  dialShare: 0.3,
  /**
   * Share of `limits.maxPeersPerSwarm` a downloading swarm dials up to from its second search
   * on. A flash crowd's last joiners are dialled by nobody after them: with the dial share alone
   * they kept the 24 peers they dialled (the median peer 43, the first ones 80) and finished
   * last. Raising the first dial instead filled the first peers sooner (see dialShare). The
   * simulator's flash crowd of 1,000 / 3,000 / 10,000 peers: 1.20 / 1.21 / 1.25x the bound
   * against 1.21 / 1.24 / 1.27x.
   */
  topUpShare: 0.5
} as const

/** Which piece to ask a peer for next (core/piece-picker). */
export const PICKING = {
  /**
   * While we hold fewer pieces than this, pick at random rather than rarest first: a rare
   * piece comes from few peers and so slowly, and a newcomer's first need is any whole piece
   * it can trade.
   */
  randomFirstPieces: 4,
  /** Most peers one piece is requested from at once in endgame. */
  maxDuplicateRequests: 2
} as const

/** Who gets upload slots (core/choker). */
export const CHOKING = {
  /** Peers that joined within this many ms count as newcomers for the optimistic slot... */
  newcomerMs: 60_000,
  /** ...and are this many times as likely to get it as other peers. */
  newcomerWeight: 3,
  /**
   * How much more an unchoked peer's rate counts in a choke round while downloading (core/choker
   * `keepMargin`): rates of similar peers differ by noise, and each flip costs a Choke, the
   * refused requests queued behind it and an Unchoke elsewhere. The simulator's flash crowd of
   * 1,000 (seeds 1-3): 1.172-1.174x the bound against 1.175-1.181x with none; 10,000 1.241x
   * either way.
   */
  keepMargin: 0.2
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

/** How a swarm asks, serves and chokes: tunables of the engine, not configured per node. */
export const SWARM = {
  /** Bytes of pieces read from disk ahead of sending, per peer being served. */
  readAheadBytes: 2 * MiB,
  /**
   * Copies a swarm sends at once, its unchoked peers taking turns (see swarm/send-turns.ts): a
   * copy sent alone reaches its peer sooner, which passes it on sooner. In the simulator, one
   * at a time against every unchoked peer at once: flash crowds of 8 / 100 / 1,000 / 10,000
   * 1.06 / 1.15 / 1.47 / 1.78x the bound against 1.09 / 1.20 / 1.63 / 1.94x; two at a time 1.53x
   * at 1,000. In the netns lab the same at N = 8, the seeder's copies lower at N = 16
   * (docs/benchmarks-history.md).
   */
  sendTurns: 1,
  /**
   * ms a turn is held at most while others wait: longer than a 256 KiB piece takes at 10 Mbit/s
   * (210 ms), so a peer that does not read costs the others this once, and slower links send
   * side by side as before.
   */
  sendTurnMaxHoldMs: 250,
  /**
   * Seconds of a peer's measured rate kept requested from it, on top of its round trip:
   * enough that its pipe never runs dry between our refills, short enough that rarest-first
   * and endgame still decide late, and that a slow peer holds few pieces. 0.5, not 1.5: a
   * request queued behind 1.5 s of others holds its piece from the peers that could send it
   * now (in the simulator's flash crowd of 1000, 2,500-3,500 of 8,000 unchoked links stood
   * idle because their peer had asked everything they offer of someone else).
   */
  requestQueueSeconds: 0.5,
  /** Request window of a peer whose rate is not known yet. */
  firstWindowBytes: 1 * MiB,
  /**
   * Under an upload limit, piece data goes out in runs of a sixteenth of the rate (at least
   * 16 KiB): a budget shared by many peers then reaches each a little every fraction of a
   * second, instead of a whole 256 KiB run after seconds of silence, which looks like a stall.
   */
  pacedRunsPerSecond: 16,
  minPacedRun: 16 * KiB,
  /**
   * Ticks (seconds) between choke rounds, and rounds between optimistic unchoke rotations
   * (30 s). Rounds of 2 s rather than BitTorrent's 10 s: a flash crowd's first pieces reach
   * the peers that can pass them on sooner, and a seed sends fewer copies (the simulator at
   * 16 / 100 / 1000 peers: 1.21 / 1.46 / 2.23x the bound and 1.20 / 1.39 / 1.41 seeder copies
   * with 10 s, 1.17 / 1.33 / 2.02x and 1.10 / 1.19 / 1.21 with 2 s). The rate the choker
   * compares is measured over 5 s, so a round does not chase noise.
   */
  chokeRoundTicks: 2,
  optimisticRounds: 15,
  /**
   * ms after which an unchoked peer that has asked us for nothing since its unchoke, its last
   * request or the end of our last piece to it (none queued, none being sent) counts as idle:
   * its slot goes to a choked peer that wants what we have at the next choke round or piece
   * stored (see core/choker). Counted from the last piece too: a node short of CPU reads and
   * asks late.
   * A flash crowd's peers get most of what one uploader offers from others. In the simulator:
   * 1,000 peers 1.17-1.18x against 1.18-1.20x; below 0.5 s, round trips of 0.2 s (the
   * heterogeneous scenario) lost their slots before their requests could arrive.
   */
  idleSlotMs: 500,
  /** ms before a piece a peer refused is asked of that peer again. */
  refusalMs: 3000,
  /**
   * Bytes of pieces received and not yet verified and written from which a swarm asks for no
   * more (at least two pieces): a disk slower than the network holds the download to its pace
   * instead of the pieces piling up in memory. Writes of 1 MiB pieces were seen to take 3 ms
   * each on a fresh VM's page cache (~350 MB/s): a 2 GiB get's leecher then peaked at 411-570
   * MiB without this, 231-270 MiB with 32 MiB, 194 MiB with 8 MiB (at the same rate).
   */
  maxUnwrittenBytes: 8 * MiB
} as const

/**
 * How `get` asks peers for a manifest (swarm/manifest-search), and how a peer that stalls the
 * request is scored (node/network). The protocol's own deadlines (first byte, minimum rate)
 * are in protocols/manifest-exchange/constants.ts.
 */
export const MANIFEST_SEARCH = {
  /**
   * Candidates asked at once; the first verified answer wins and the others are cancelled.
   * Connected peers come first, so peers that stay silent or trickle hold a slot each for
   * the protocol's first-byte deadline or a few seconds of its minimum rate, never the search.
   */
  parallelCandidates: 4,
  /** ms before a candidate that failed (NOT_FOUND, a reset) is asked again in the same `get`... */
  retryAfter: 1000,
  /** ...and before one that stalled is: each time, it holds a slot for seconds. */
  stalledRetryAfter: 5000,
  /** ms between passes over the candidates. */
  roundPause: 200,
  /**
   * ms the provider search (a DHT walk) waits while connected peers are being asked, unless
   * they have all answered without the manifest first (Kubo's bitswap waits 1 s the same way).
   * A connected peer that has it answers within a round trip; a walk begun at once cost both
   * ends CPU that the first piece waited for: a 16 KiB get from a connected seeder on loopback
   * took 41-47 ms with it, 33 ms without.
   */
  providerDelay: 1000,
  /**
   * Manifest requests a peer may stall within `stallWindow` before it is banned. An honest
   * peer answers from memory at once; a manifest it serves clears its count, so only a peer
   * that stalls again and again and never serves is banned.
   */
  maxStalls: 3,
  stallWindow: 10 * 60_000,
  /** Peers whose stalls are remembered; past it the one struck longest ago is forgotten (identities are free). */
  maxTrackedPeers: 4096
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

/** The data folder's lock (node/data-dir-lock.ts): one node per data folder. */
export const DATA_DIR_LOCK = {
  /** Tries to take the lock while other starts race for it, `retryDelayMs` apart when one is busy. */
  maxAttempts: 100,
  retryDelayMs: 50,
  /** An empty or unreadable lock file younger than this is being written; older, it is debris. */
  unreadableGraceMs: 2000,
  /** A takeover's own lock file older than this was left by a taker that was killed. */
  takeoverStaleMs: 10_000,
  /** A lock's pid held by a process started more than this after the lock was taken is a reused pid. */
  pidReuseToleranceMs: 5000
} as const

/**
 * What fresh identities from one address may cost the node: peer ids are free, so limits
 * that hold per peer id alone do not hold. (`limits.maxConnectionsPerAddress` is the
 * user's knob; these are the rest.)
 */
export const IDENTITIES = {
  /** Peers banned at one address within `banWindowMs` that get the address refused... */
  bansPerAddress: 8,
  banWindowMs: 10 * 60 * 1000,
  /** ...for this long: no new connection from it, no dial to it. */
  addressRefusalMs: 15 * 60 * 1000,
  /** Addresses whose recent bans are remembered; past it the one seen longest ago is forgotten. */
  maxTrackedAddresses: 4096,
  /** Bans kept, in memory and in bans.json; past it the oldest ban goes (an address refusal still holds). */
  maxBans: 10_000,
  /** ms a ban may wait to be saved with those that follow it: one write for a burst. */
  banSaveDelay: 1000,
  /**
   * A full swarm makes room for a newcomer by dropping the peer that has sent and received
   * no piece bytes for longest, if that is at least this many ms (time to be unchoked and
   * served): idle peers cannot hold a swarm, and working peers are never dropped for one.
   */
  minIdleToDrop: 15_000,
  /**
   * Share of `limits.maxConnections` the swarms may trade with in all (swarm/session-budget):
   * the rest keeps the node open to newcomers and DHT queries, which libp2p refuses at the
   * limit. A full node makes room for a smaller swarm's newcomer: the swarm with the most
   * peers drops the one of no use for longest.
   */
  swarmConnectionShare: 0.9,
  /**
   * Connections kept free below `limits.maxConnections` (node/connection-room): once fewer are,
   * the newest connections of peers no swarm trades with close, if they carry only what can be
   * opened again, and if they are at least `idleConnectionGraceMs` old (time to open a session);
   * checked every `roomCheckInterval` ms.
   */
  spareConnections: 2,
  idleConnectionGraceMs: 5000,
  roomCheckInterval: 1000,
  /** kad-dht provider records kept, in all and per content key; past either, the oldest goes. */
  maxProviderRecords: 16_384,
  maxProvidersPerKey: 64,
  /** Concurrent inbound kad-dht streams per connection (kad-dht's 32 each may hold a 4 MiB message). */
  dhtInboundStreams: 8
} as const

/** What `add` tells about what it left out. */
export const ADD_NOTICE = {
  /** Symbolic links named in `add`'s notice (the rest are counted). */
  skippedLinksListed: 10
} as const

/** The paths downloads made (dataDir/outputs.json): `get --force` replaces only one of these, made by the same content. */
export const OUTPUTS = {
  /** Paths remembered; the oldest are forgotten first. */
  remembered: 10_000
} as const

/** How the check of seeded files for changes (every `timeouts.seedCheck`) keeps its cost bounded. */
export const SEED_WATCH = {
  /**
   * The most of the node's time the checks may take: after a check that took t ms, the next
   * waits at least t × (1 / maxBusyShare - 1). (Reads check their file anyway: see PieceStore.)
   */
  maxBusyShare: 0.1
} as const

/** How an incomplete swarm's peer finder queues the peers it cannot try yet. */
export const PEER_BACKLOG = {
  /**
   * Peers offered while maxPeersPerSwarm are being tried or traded with wait for a slot, up
   * to this many (the rest are found again by a later search): as each attempt settles,
   * within timeouts.handshake, the next is tried, so peers that answer badly or not at all
   * hold the honest ones back by one handshake at most, not by a search round.
   */
  maxWaiting: 256
} as const

/** Where received pieces are hashed (storage/hash-thread). */
export const HASHING = {
  /**
   * Bytes per second received from which pieces are hashed on a thread of their own. Handing a
   * piece over wakes the thread and then the event loop (~50-80 us each on these machines),
   * about what hashing 256 KiB inline costs: it pays only where the main thread is the limit.
   * 512 MiB 1 -> 1: the leecher's main thread 0.74-0.82 CPU s against 1.06-1.14 inline; a netns
   * swarm of 16 at 5 MB/s a node with the thread: 7% more CPU and 1.61x against 1.54x the bound.
   * The thread itself boots with the node (see Swarms.start).
   */
  threadFromRate: 32 * MiB
} as const

/** How the upload side treats a peer that does not read what we send it (swarm/peer-session). */
export const READING = {
  /**
   * A piece send that waits on the peer (its receive window is full) for this many ms while
   * the peer takes less than `minRate` bytes a second is a stall: the peer is choked at once,
   * its upload slot goes to another, and it gets none while it does not read. Its send keeps
   * waiting; each further `stallMs` of it is another stall.
   */
  stallMs: 3000,
  minRate: 4 * KiB,
  /**
   * Stalls before the peer is disconnected and banned: a peer that reads nothing at all is
   * dropped after `maxStalls * stallMs` (15 s), one that reads, stops and reads again after
   * its fifth stall.
   */
  maxStalls: 5
} as const

/** What a `get` shows while it looks for the content (swarm/download, cli/search-status). */
export const SEARCH_REPORTS = {
  /** ms between the node's `shoal:get:searching` reports while a search goes on. */
  interval: 1000,
  /** ms between the CLI's status lines when stderr is not a terminal (on one, the line updates in place). */
  lineInterval: 5000,
  /** ms of search before the first such line: a get that finds the content at once prints none. */
  firstLineAfter: 1000
} as const

/** What `shoal get`'s progress bar shows (cli/progress). */
export const PROGRESS_BAR = {
  /** ms of recent progress the rate (and so the ETA) is taken over. */
  rateWindow: 5000,
  /** ms between redraws when no progress comes: a stalled download's rate falls. */
  refresh: 1000
} as const

/** What `shoal status --watch` shows (cli/watch). */
export const WATCH = {
  /** ms between polls of the node's status, and so between redraws. */
  interval: 1000
} as const

/** The HTTP gateway: what one browser tab or player needs, and no more. */
export const GATEWAY = {
  /** Requests answered at once; more get 503. */
  maxConcurrentRequests: 32,
  maxUrlLength: 2048,
  /** Total bytes of request headers (node's parser answers 431 past it). */
  maxHeaderBytes: 8 * KiB,
  /** ms for a client to send its headers, and its whole request (GET and HEAD have no body). */
  headersTimeout: 10_000,
  requestTimeout: 15_000,
  /** ms an idle keep-alive connection stays open. */
  keepAliveTimeout: 5_000,
  /** ms a response waits for its next piece before it ends (the download goes on). */
  pieceWaitTimeout: 120_000,
  /** Pieces after the one a reader waits for that are asked for ahead of the rest. */
  readAheadPieces: 8,
  /** Entries of a folder listing, at most. */
  maxListing: 10_000,
  /** The folder under dataDir where content the gateway is asked for is downloaded. */
  contentFolder: 'content'
} as const
