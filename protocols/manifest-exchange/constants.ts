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
export const MAX_INBOUND_STREAMS = 8
export const MAX_OUTBOUND_STREAMS = 8
