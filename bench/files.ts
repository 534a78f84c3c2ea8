import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'

const CHUNK = 1024 * 1024

/** Write `size` random bytes to `path` in 1 MiB chunks; resolves with their SHA-256 (hex). */
export async function randomFile (path: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  const handle = await open(path, 'w')
  try {
    for (let written = 0; written < size;) {
      const chunk = randomBytes(Math.min(CHUNK, size - written))
      hash.update(chunk)
      await handle.write(chunk)
      written += chunk.byteLength
    }
  } finally {
    await handle.close()
  }
  return hash.digest('hex')
}

/** SHA-256 (hex) of a file, streamed. */
export async function sha256File (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) hash.update(chunk as Buffer)
  return hash.digest('hex')
}
