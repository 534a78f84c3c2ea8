import { join, resolve } from 'node:path'
import { verifyPiece } from '../core/piece-hash.js'
import { PathError, StorageError } from '../errors.js'
import type { Swarm } from './swarm.js'
import type { GetOptions } from './types.js'
import type { PieceStore } from '../storage/piece-store.js'

/**
 * Where a `get` puts its content, as absolute paths: the content's own path, or a folder in
 * which it takes its own name (known once the manifest is in).
 */
export type OutputTarget = { path: string } | { folder: string }

/** Resolve `output` (or `outputDir`, by default the working directory) once, where a get comes in. */
export function resolveOutput (options: Pick<GetOptions, 'output' | 'outputDir'>): OutputTarget {
  return options.output === undefined ? { folder: resolve(options.outputDir ?? '.') } : { path: resolve(options.output) }
}

/**
 * The content's path for a target; `name` is the manifest's, a single checked path component.
 * A name starting with a dot is never taken as a default output: content named `.ssh` or
 * `.git` would land among (or replace) the user's own settings.
 */
export function outputPath (target: OutputTarget, name: string): string {
  if ('path' in target) return target.path
  if (name.startsWith('.')) throw new PathError(`the content is named "${name}", which starts with a dot: give --output to say where it goes`)
  return join(target.folder, name)
}

/** A second copy of content this node already seeds, into `store` (prepared here), checked piece by piece. */
export async function copyVerified (swarm: Swarm, store: PieceStore): Promise<void> {
  try {
    await store.prepare()
    for (let i = 0; i < swarm.pieceCount; i++) {
      const data = await swarm.readPiece(i)
      if (!verifyPiece(swarm.manifest, i, data)) {
        throw new StorageError(`${swarm.path} changed on disk: piece ${i} no longer matches`)
      }
      await store.writePiece(i, [data])
    }
    await store.complete()
  } finally {
    await store.close()
  }
}
