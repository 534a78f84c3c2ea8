/**
 * Caps applied to every manifest before it is trusted, from a peer or from disk: facts of the
 * manifest format, in a file of their own so that the config can name them without loading
 * the manifest codec (every `shoal get` reads the config's defaults at start).
 *
 * They bound what a hostile manifest can make a node hold or create: validating one costs
 * time and memory linear in its size, and at most `maxFiles` files and `maxFolders` folders
 * are ever made from it. (The manifest's byte size is capped by `limits.maxManifestSize`.)
 */
export const MANIFEST_LIMITS = {
  /** Files listed; a large source tree has ~100,000. */
  maxFiles: 200_000,
  /** Distinct folders the paths name (each takes a lookup entry while the manifest is checked). */
  maxFolders: 50_000,
  /** UTF-8 bytes of one '/'-separated path. */
  maxPathLength: 4096,
  /** UTF-8 bytes of one file or folder name. */
  maxComponentLength: 255,
  /** Names in one path, the file's own included. */
  maxDepth: 64,
  /** The smallest piece a manifest may have (`add` picks larger ones by itself: ADDING in the config's defaults). */
  minPieceSize: 16 * 1024,
  maxPieceSize: 16 * 1024 * 1024
} as const
