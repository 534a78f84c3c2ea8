import { rename, writeFile } from 'node:fs/promises'

/**
 * Replace the file at `path` whole: the data goes to a temporary file beside it (flushed)
 * and is renamed over the old one, so a crash leaves the old contents or the new, never a mix.
 * Private (0600) unless told otherwise: what Shoal writes is the node's own business.
 */
export async function atomicWrite (path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, data, { mode, flush: true })
  await rename(tmp, path)
}
