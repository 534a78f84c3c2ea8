/**
 * Where a swarm's verified pieces live. The swarm only writes pieces that passed their hash
 * and only reads pieces its bitfield says it has; the store does positional I/O and nothing else.
 */
export interface PieceStore {
  /** Make the content's files and folders exist (empty files included), sized to the manifest. */
  prepare(): Promise<void>
  /** The bytes of piece `index`, exactly its length. */
  readPiece(index: number): Promise<Uint8Array>
  /** Write piece `index`, given as consecutive chunks that together are the whole piece. */
  writePiece(index: number, chunks: readonly Uint8Array[]): Promise<void>
  /** Flush to disk what was written (before a record says the pieces are there). */
  flush(): Promise<void>
  close(): Promise<void>
}
