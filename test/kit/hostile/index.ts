/**
 * @packageDocumentation
 *
 * Hostile peers for tests: real libp2p nodes that speak Shoal's protocols and misbehave on
 * purpose. Start one with `HostilePeer.start({ pieces: { shape, behaviour }, manifest })`,
 * put its `address` in a Shoal node's bootstrap list, and assert on the node (and on the
 * peer's `stats`). One module per misbehaviour:
 *
 * | module | behaviour | what the node must do |
 * |---|---|---|
 * | poisoner.ts | right-length random bytes for every request | verify, re-request, ban after `limits.maxBadPieces` |
 * | liar.ts | claims every piece (bitfield or haves), then rejects NOT_AVAILABLE or ignores | ban after `SCORING.maxFalseClaims` false claims; snub when it ignores |
 * | staller.ts | accepts requests and never answers, or trickles 1 byte a second | snub it, endgame past it, never wait on it; ban it after SCORING.maxStalls |
 * | flooder.ts | oversized frames and length prefixes, garbage, unrequested piece runs; streams opened in a loop | reset before allocating, ban; bound streams by `maxInboundStreams` |
 * | manifests.ts | NOT_FOUND; forged manifests; unsafe or colliding names, or 16 MiB built to be expensive, under a matching content id | refuse forgeries and ban; refuse unsafe manifests with a clear error and write nothing; decode any within a fixed memory budget |
 * | manifests.ts | silent (never answers); trickler (announces 16 MiB, sends 100 B/s) | give up after the first-byte deadline or under the minimum rate, ask others meanwhile, allocate only what arrives, ban after MANIFEST_SEARCH.maxStalls |
 * | namers.ts | PEX messages about thousands of made-up content ids; a peer named (PEX) or a provider record (DHT) at an address on the node's own machine | keep the PEX rate table per peer; dial no loopback or link-local address a peer named unless the node listens there or allows it |
 * | identities.ts | fresh peer ids from one address (`localAddress`): idle connections held, identities banned in a row, idle sessions filling a swarm | cap connections per address; refuse an address whose peers keep getting banned; save bans in batches, keep a bounded number; drop the longest-idle peer of a full swarm for a newcomer |
 * | handshaker.ts | a wrong handshake, answered or sent: bitfield too short, too long or with spare bits set, another piece count or content id; or no answer | settle every connect within `timeouts.handshake`, ban the breach, keep dialling others |
 * | non-reader.ts | a leecher that asks for pieces, then never reads (optionally asking on, as a flood) | choke it, give its slot to another, drop it if it persists; bound what is queued to it |
 */
export { HostilePeer, PIECE_EXCHANGE, MANIFEST_EXCHANGE, bareNode, fullBitfield, emptyBitfield, seededBytes } from './base.js'
export type { ContentShape, HandshakeFields, HostileStats, HostilePeerInit, ManifestBehaviour, PieceBehaviour, PieceSession } from './base.js'
export { BAD_BITFIELDS, badHandshake, badHandshakeFor, dialWithBadHandshake } from './handshaker.js'
export type { BadHandshakeKind } from './handshaker.js'
export { poisoner } from './poisoner.js'
export { liar } from './liar.js'
export type { LiarOptions } from './liar.js'
export { staller } from './staller.js'
export type { StallerOptions } from './staller.js'
export { flooder, floodStreams } from './flooder.js'
export type { FloodMode, StreamFloodOptions } from './flooder.js'
export { COLLIDING_NAMES, expensiveManifests, manifestForger, manifestNotFound, manifestSilent, manifestTrickler, servesManifest, unsafeManifest, UNSAFE_NAMES } from './manifests.js'
export { PEX, floodPexContentIds, loopbackTrap, namePeerViaPex, provideAt, sendPex } from './namers.js'
export type { LoopbackTrap } from './namers.js'
export { churnBannedIdentities, holdIdleConnections, joinIdle } from './identities.js'
export type { ChurnResult, Held, IdentityOptions } from './identities.js'
export { spawnIdentities } from './identities-process.js'
export type { IdentityProcess, IdleResult } from './identities-process.js'
export { stopReading } from './non-reader.js'
export type { NonReaderOptions, NonReading } from './non-reader.js'
