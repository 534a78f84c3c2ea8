/**
 * A swarm's pieces for a picture of them: one byte per piece, its state in the top two bits
 * (PIECE_STATE) and in the low six how many peers have it (capped at 63). Sent base64: a
 * 100,000-piece swarm is 133 KB of text, not a JSON array of 100,000 objects.
 */
export const PIECE_STATE = { missing: 0, inFlight: 1, have: 2 } as const

/** Most peers one byte can count; more show as this many. */
export const MAX_AVAILABILITY = 63

export interface PieceSource {
  readonly pieceCount: number
  has(index: number): boolean
  /** Requests out for a missing piece now. */
  requestsFor(index: number): number
  /** Peers that have told us they have the piece. */
  availabilityOf(index: number): number
}

export function pieceMapBytes (source: PieceSource): Uint8Array {
  const bytes = new Uint8Array(source.pieceCount)
  for (let i = 0; i < bytes.length; i++) {
    const state = source.has(i) ? PIECE_STATE.have : source.requestsFor(i) > 0 ? PIECE_STATE.inFlight : PIECE_STATE.missing
    bytes[i] = (state << 6) | Math.min(source.availabilityOf(i), MAX_AVAILABILITY)
  }
  return bytes
}

/** The state and availability of piece `index` in a map made by pieceMapBytes. */
export function readPieceMap (bytes: Uint8Array, index: number): { state: number, availability: number } {
  return { state: bytes[index] >> 6, availability: bytes[index] & MAX_AVAILABILITY }
}
