/**
 * The protocol's own facts: its id and the limits of SPEC.md "Limits". What a node configures
 * (the largest manifest it accepts) is not here: the node sets it in ManifestExchangeInit from
 * its config.
 */
export const PROTOCOL_PREFIX = 'shoal'
export const PROTOCOL_NAME = 'manifest-exchange'
export const PROTOCOL_VERSION = '1.0.0'

/** SPEC.md "Limits". */
export const MAX_REQUEST_FRAME = 1024
export const CHUNK_SIZE = 256 * 1024
/** ms the whole exchange may take, both when asking and when answering. */
export const DEFAULT_TIMEOUT = 30_000
/**
 * ms from our request to the peer's Response frame. An honest peer answers from memory at
 * once; one that opens the stream and stays silent is given up after this, not the whole
 * exchange's time.
 */
export const FIRST_BYTE_TIMEOUT = 3_000
/**
 * Bytes a second a manifest must keep coming at, after the Response: each chunk is due by
 * the time the bytes so far plus one whole chunk take at this rate (a first chunk within
 * CHUNK_SIZE / MIN_RATE = 4 s). A trickler is given up after seconds, however large the
 * size it announced.
 */
export const MIN_RATE = 64 * 1024
export const MAX_INBOUND_STREAMS = 8
export const MAX_OUTBOUND_STREAMS = 8
