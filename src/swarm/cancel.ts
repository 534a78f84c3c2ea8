import { CancelledError, StorageError, UnknownContentError } from '../errors.js'
import type { SwarmRegistry } from './registry.js'
import type { CancelOptions, CancelResult } from './types.js'

/**
 * `shoal cancel`: stop the swarm of `contentId` (downloading or seeding) and forget it (the
 * swarm list, its have record); any get waiting on it fails with CancelledError. A download's
 * files stay where they are (a later get of the same content into the same path verifies
 * them again and goes on), or with `remove` are deleted; added files always stay.
 */
export async function cancelSwarm (registry: SwarmRegistry, contentId: string, options: CancelOptions = {}): Promise<CancelResult> {
  const entry = registry.get(contentId)
  if (entry === undefined) throw new UnknownContentError(`no swarm for ${contentId}`)
  const { record, swarm, store } = entry
  // a swarm being verified again is being reopened: cancelled now, it would come back
  if (swarm.state === 'checking') throw new StorageError(`the files of ${contentId} are being verified again; cancel once that is done`)
  const cancelled = new CancelledError(`the swarm of ${contentId} was cancelled (shoal cancel)`)
  for (const waiter of [...entry.waiters]) waiter.error(cancelled)
  await registry.remove(contentId)
  const remove = options.remove === true && record.origin === 'download'
  // the swarm closed its store: nothing is written after this
  if (remove) await store.remove()
  return { contentId, path: record.path, origin: record.origin, complete: swarm.have.complete, removed: remove }
}
