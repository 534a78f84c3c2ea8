/**
 * Caps applied to every manifest before it is trusted, from a peer or from disk: facts of the
 * manifest format, in a file of their own so that the config can name them without loading
 * the manifest codec (every `shoal get` reads the config's defaults at start).
 */
export const MANIFEST_LIMITS = {
  maxFiles: 1_000_000,
  maxPathLength: 4096,
  maxComponentLength: 255,
  maxDepth: 64,
  /** The smallest piece a manifest may have (`add` picks larger ones by itself: ADDING in the config's defaults). */
  minPieceSize: 16 * 1024,
  maxPieceSize: 16 * 1024 * 1024
} as const
