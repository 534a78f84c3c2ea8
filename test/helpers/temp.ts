import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh temporary folder, removed by the returned cleanup. */
export async function tempDir (prefix = 'shoal-test-'): Promise<{ path: string, cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix))
  return { path, cleanup: async () => { await rm(path, { recursive: true, force: true }) } }
}

/** Write `size` random bytes to `path`, in 1 MiB chunks so memory stays small. */
export async function randomFile (path: string, size: number): Promise<void> {
  const { open } = await import('node:fs/promises')
  const handle = await open(path, 'w')
  try {
    for (let written = 0; written < size;) {
      const chunk = randomBytes(Math.min(1024 * 1024, size - written))
      await handle.write(chunk)
      written += chunk.byteLength
    }
  } finally {
    await handle.close()
  }
}

export async function textFile (path: string, text: string): Promise<void> {
  await writeFile(path, text)
}
