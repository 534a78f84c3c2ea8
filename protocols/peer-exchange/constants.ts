/** The limits README.md "Limits" documents; every one applies before anything is trusted. */

export const PROTOCOL_PREFIX = 'shoal'
export const PROTOCOL_NAME = 'pex'
/** Bump the major version for a change an old peer would misread; both ids can be handled side by side. */
export const PROTOCOL_VERSION = '1.0.0'

/** Largest message accepted, in bytes, refused before it is read: 50 peers x 8 addresses x ~60 bytes, with room. */
export const MAX_MESSAGE_SIZE = 32 * 1024
/** Peers in one message; a message with more is refused whole. */
export const MAX_PEERS = 50
/** Addresses per peer in one message; more is refused. */
export const MAX_ADDRS_PER_PEER = 8
/** Bytes of one binary multiaddr. */
export const MAX_ADDR_SIZE = 256

/** ms between messages to one peer about one swarm; a receiver refuses those that come faster than half of it. */
export const DEFAULT_INTERVAL = 30_000
/** ms a peer seen in a swarm is still passed on after it left. */
export const DEFAULT_REMEMBER = 10 * 60_000
/** Peers remembered per swarm (the most recently seen are kept). */
export const MAX_REMEMBERED = 200
/** Senders whose last message times are kept for the rate limit; past it the one heard from longest ago is forgotten. */
export const MAX_RATE_ENTRIES = 4096
/** ms one exchange (open, write, close / read) may take. */
export const DEFAULT_TIMEOUT = 10_000
export const MAX_INBOUND_STREAMS = 4
/** ms a peer's addresses read from the peer store are reused for the messages that name it. */
export const ADDRESS_CACHE_MS = 10_000
