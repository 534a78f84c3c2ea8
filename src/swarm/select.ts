import { resolveSelection, selectionPaths } from '../core/selection.js'
import { StorageError, UnknownContentError } from '../errors.js'
import type { SwarmOpener } from './opener.js'
import type { SwarmRegistry } from './registry.js'

/**
 * Change which files the download of `contentId` fetches while it runs: exactly the files and
 * folders `only` names, or every file (undefined). Files dropped keep what is written of them;
 * a selection that grows goes on from what is there. Resolves with the selection on record
 * (undefined: every file).
 */
export async function selectFiles (registry: SwarmRegistry, opener: SwarmOpener, contentId: string, only: readonly string[] | undefined): Promise<string[] | undefined> {
  const entry = registry.get(contentId)
  if (entry === undefined) throw new UnknownContentError(`no swarm for ${contentId}`)
  const { swarm, record } = entry
  if (record.origin !== 'download' || swarm.whole) throw new StorageError(`${contentId} is complete here: every file is in ${swarm.path}`)
  if (swarm.state !== 'downloading' && swarm.state !== 'seeding') throw new StorageError(`the swarm of ${contentId} is ${swarm.state}: run the same get again first`)
  if (only !== undefined && only.length === 0) throw new StorageError('name at least one file or folder to fetch (or none, to fetch every file)')
  const files = only === undefined ? undefined : resolveSelection(swarm.manifest, only)
  await opener.select(entry, files)
  return selectionPaths(swarm.manifest, swarm.selection)
}
