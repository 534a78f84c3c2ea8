import { WIRE } from '../../src/config/defaults.js'

/** `/<prefix>/piece-exchange/<version>`; the prefix is configurable, the version is this spec's. */
export const PROTOCOL_PREFIX = 'shoal'
export const PROTOCOL_NAME = 'piece-exchange'
export const PROTOCOL_VERSION = '2.0.0'

/** SPEC.md "Limits": the largest piece-data frame, and any other frame. */
export const MAX_FRAME_DATA = WIRE.maxFrameData
export const MAX_CONTROL_FRAME = WIRE.maxControlFrame

/** One stream per content per peer pair; a peer may share many contents with us. */
export const MAX_INBOUND_STREAMS = 64
export const MAX_OUTBOUND_STREAMS = 64
export const HANDSHAKE_TIMEOUT = 10_000
/** Receive window granted to the remote at once on a piece stream (Yamux's maximum). */
export const RECEIVE_WINDOW = 16 * 1024 * 1024
/**
 * ms a Have may wait to share a write with others. Every verified piece is announced to every
 * peer: in a swarm of N, N^2 tiny messages per piece, each an encrypted muxer frame and a
 * syscall when sent alone; batched, a few per write. Peers learn of a piece this much later.
 */
export const HAVE_BATCH_MS = 50
