import { open } from 'node:fs/promises'

/** fsync a folder, so a rename in it is durable (where the platform allows opening folders). */
export async function syncFolder (path: string): Promise<void> {
  const handle = await open(path, 'r').catch(() => undefined)
  if (handle === undefined) return
  try {
    await handle.sync().catch(() => {})
  } finally {
    await handle.close()
  }
}
