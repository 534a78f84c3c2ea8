import { mkdir, rm, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { verifyPiece } from '../core/piece-hash.js'
import { PathError, StorageError } from '../errors.js'
import { FsPieceStore } from '../storage/fs-store.js'
import type { Swarm } from './swarm.js'

/** The output path must be free (or `force` clears it); its parent folder is created. */
export async function prepareOutput (output: string, force: boolean): Promise<void> {
  const exists = await stat(output).then(() => true, () => false)
  if (exists && !force) throw new PathError(`${output} already exists (use --force to replace it)`)
  if (exists) await rm(output, { recursive: true, force: true })
  await mkdir(dirname(output), { recursive: true })
}

/** A second copy of content this node already seeds, checked piece by piece. */
export async function copyVerified (swarm: Swarm, output: string): Promise<void> {
  const store = new FsPieceStore({ root: output, manifest: swarm.manifest, mode: 'write' })
  try {
    await store.prepare()
    for (let i = 0; i < swarm.pieceCount; i++) {
      const data = await swarm.readPiece(i)
      if (!verifyPiece(swarm.manifest, i, data)) {
        throw new StorageError(`${swarm.path} changed on disk: piece ${i} no longer matches`)
      }
      await store.writePiece(i, [data])
    }
  } finally {
    await store.close()
  }
}
