import { lstat, mkdir, rm } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { PathError } from '../errors.js'
import { FsPieceStore } from './fs-store.js'
import { importContent } from './import-content.js'
import { isPartialOutput, partPath } from './part-files.js'
import type { ContentStorage } from './piece-store.js'

/** The node's files as the swarm layer reaches them: stores over the content's own files. */
export const fsStorage: ContentStorage = {
  open: (init) => new FsPieceStore(init),
  claimPath: async (path, { replace, taken }) => {
    // lstat: a link planted at the path is something there, not the place it points to.
    // The `.part` name beside it is where a single file would be written until complete.
    for (const name of [path, partPath(path)]) {
      const exists = await lstat(name).then(() => true, () => false)
      if (exists && !replace) throw new PathError(taken(name))
      if (exists) await rm(name, { recursive: true, force: true })
    }
    await mkdir(dirname(path), { recursive: true })
  },
  isPartialOutput: async (path, manifest) => {
    const store = new FsPieceStore({ root: path, manifest, mode: 'read' })
    return await isPartialOutput(resolve(path), manifest, (i) => store.filePath(i))
  },
  importContent
}
