/**
 * The protocol's own facts: its id, the wire caps of SPEC.md "Limits" and how this
 * implementation drives a stream. What a node configures (the handshake timeout) is not here:
 * the node sets it in PieceExchangeInit from its config.
 */

/** `/<prefix>/piece-exchange/<version>`; the prefix is configurable, the version is this spec's. */
export const PROTOCOL_PREFIX = 'shoal'
export const PROTOCOL_NAME = 'piece-exchange'
export const PROTOCOL_VERSION = '2.0.0'

/**
 * SPEC.md "Limits": the largest run of piece data after a Piece header (pnet and yamux favour
 * small writes), and the largest of any other frame: above it is a protocol violation.
 */
export const MAX_FRAME_DATA = 256 * 1024
export const MAX_CONTROL_FRAME = 64 * 1024

/** One stream per content per peer pair; a peer may share many contents with us. */
export const MAX_INBOUND_STREAMS = 64
export const MAX_OUTBOUND_STREAMS = 64
/** Receive window granted to the remote at once on a piece stream (Yamux's maximum). */
export const RECEIVE_WINDOW = 16 * 1024 * 1024
/**
 * ms a Have may wait to share a write with others. Every verified piece is announced to every
 * peer: in a swarm of N, N^2 tiny messages per piece, each an encrypted muxer frame and a
 * syscall when sent alone; batched, a few per write. Peers learn of a piece this much later.
 */
export const HAVE_BATCH_MS = 50
/**
 * Bytes queued to one peer on one stream and not yet taken by the transport (Yamux holds what
 * the peer's receive window does not admit), control messages and piece data together. A run
 * of piece data is written only once the stream has taken what came before it, and control
 * messages wait meanwhile; past this the peer is not reading, and the stream is reset as a
 * violation. An honest peer reads as fast as it can: only a peer that stops reading (while
 * it keeps asking) fills this.
 */
export const MAX_QUEUED_BYTES = 512 * 1024
/** ms a graceful close waits for the peer to take what is still queued before the stream is reset. */
export const CLOSE_TIMEOUT = 5000
