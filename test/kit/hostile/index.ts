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
 * | non-reader.ts | a leecher that asks for pieces, then never reads (optionally asking on, as a flood) | choke it, give its slot to another, drop it if it persists; bound what is queued to it |
 * | manifests.ts | NOT_FOUND; forged manifests; unsafe names under a matching content id | refuse forgeries and ban; refuse unsafe manifests with a clear error and write nothing |
 */
export { HostilePeer, PIECE_EXCHANGE, MANIFEST_EXCHANGE, fullBitfield, emptyBitfield, seededBytes } from './base.js'
export type { ContentShape, HostileStats, HostilePeerInit, ManifestBehaviour, PieceBehaviour, PieceSession } from './base.js'
export { poisoner } from './poisoner.js'
export { liar } from './liar.js'
export type { LiarOptions } from './liar.js'
export { staller } from './staller.js'
export type { StallerOptions } from './staller.js'
export { flooder, floodStreams } from './flooder.js'
export type { FloodMode, StreamFloodOptions } from './flooder.js'
export { stopReading } from './non-reader.js'
export type { NonReaderOptions, NonReading } from './non-reader.js'
export { manifestForger, manifestNotFound, servesManifest, unsafeManifest, UNSAFE_NAMES } from './manifests.js'
