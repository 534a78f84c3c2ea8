import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'

export { seededRandom } from '../../helpers/random.js'

/** SHA-256 of every piece of a file. */
export async function pieceHashes (path: string, pieceSize: number): Promise<string[]> {
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    const out: string[] = []
    const buffer = Buffer.alloc(pieceSize)
    for (let offset = 0; offset < size; offset += pieceSize) {
      const { bytesRead } = await handle.read(buffer, 0, pieceSize, offset)
      out.push(createHash('sha256').update(buffer.subarray(0, bytesRead)).digest('hex'))
    }
    return out
  } finally {
    await handle.close()
  }
}

/**
 * Which pieces some copy already holds correctly, checked from outside the nodes: the bytes
 * of each not-yet-held piece in each (partial) output file against the source's piece hashes.
 * `held` is updated in place; returns how many pieces are held.
 */
export async function updateHeld (held: Set<number>, outputs: string[], hashes: string[], pieceSize: number): Promise<number> {
  const buffer = Buffer.alloc(pieceSize)
  for (const path of outputs) {
    let handle
    try {
      handle = await open(path, 'r')
    } catch {
      continue
    }
    try {
      for (let index = 0; index < hashes.length; index++) {
        if (held.has(index)) continue
        const { bytesRead } = await handle.read(buffer, 0, pieceSize, index * pieceSize)
        if (bytesRead === 0) continue
        if (createHash('sha256').update(buffer.subarray(0, bytesRead)).digest('hex') === hashes[index]) held.add(index)
      }
    } finally {
      await handle.close()
    }
  }
  return held.size
}
