import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'

/** mulberry32: a small seeded PRNG, so a churn schedule can be replayed from its seed. */
export function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

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
