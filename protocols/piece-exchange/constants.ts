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
/**
 * SPEC.md "Handshake": bitfield bytes per BitfieldPart, for content whose Handshake would not
 * fit in one frame with its bitfield (over ~523,000 pieces): well under MAX_CONTROL_FRAME.
 */
export const BITFIELD_PART_BYTES = 32 * 1024

/** One stream per content per peer pair; a peer may share many contents with us. */
export const MAX_INBOUND_STREAMS = 64
export const MAX_OUTBOUND_STREAMS = 64
/** Receive window granted to the remote at once on a piece stream (Yamux's maximum). */
export const RECEIVE_WINDOW = 16 * 1024 * 1024
/**
 * ms within which haves share a write. Every verified piece is announced to every peer: in a
 * swarm of N, N^2 tiny messages per piece, each an encrypted muxer frame and a syscall when
 * sent alone; batched, a few per write. A have after this long with none sent goes at once
 * (have-batch.ts): in the simulator, haves that always waited 25 ms on average took a flash
 * crowd of 1,000 (3,000) to 1.24x (1.28x) the bound; with no wait at all 1.21x (1.25x).
 */
export const HAVE_BATCH_MS = 50
/**
 * Bytes of unfinished frames (a frame's first bytes, waiting for the rest) held for one peer
 * over all its streams, and for all peers: a peer that starts a 64 KiB frame on each of 64
 * streams on each of its connections would otherwise hold 4 MiB a connection. Four maximum
 * frames at once is more than an honest peer ever has in flight (its frames are small but for
 * handshakes); a stream that would pass either limit is reset.
 */
export const MAX_UNFINISHED_BYTES_PER_PEER = 4 * MAX_CONTROL_FRAME
export const MAX_UNFINISHED_BYTES = 16 * 1024 * 1024
/**
 * Bytes of control messages held for a peer that does not take what we write (its receive
 * window is full): past this the stream is reset as a violation. Piece data waits too: a run
 * is written only once the stream took what came before it, so at most one run
 * (MAX_FRAME_DATA) sits unread in the stream, and what is queued to one peer on one stream
 * stays under 512 KiB. An honest peer reads as fast as it can: only a peer that stops
 * reading, and keeps asking, fills this.
 */
export const MAX_QUEUED_CONTROL = 256 * 1024
/** ms a graceful close waits for the peer to take what is still queued before the stream is reset. */
export const CLOSE_TIMEOUT = 5000
