import assert from 'node:assert/strict'
import { mkdir, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { storageErrorOf } from '../../../src/storage/fs-errors.js'
import { SafeFolders } from '../../../src/storage/safe-folders.js'
import { tempDir } from '../../helpers/temp.js'
import { isNamedError } from '../fixtures.js'

describe('storage/safe-folders', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })

  function folders (fresh: boolean, root = join(dir.path, 'root')): SafeFolders {
    return new SafeFolders({ root, fresh, io: async (operation, index) => await operation.catch((err) => { throw storageErrorOf(err, `file ${index}`) }) })
  }

  it('makes the root and every folder below it, once', async () => {
    const made = folders(true)
    await Promise.all([made.make(['a', 'b'], 0), made.make(['a', 'c'], 1), made.make([], 2)])
    await made.make(['a', 'b'], 3)
    assert.ok((await stat(join(dir.path, 'root', 'a', 'b'))).isDirectory())
    assert.ok((await stat(join(dir.path, 'root', 'a', 'c'))).isDirectory())
  })

  it('a fresh root that is already there is refused; resuming, it is used', async () => {
    await mkdir(join(dir.path, 'root'))
    await assert.rejects(folders(true).make(['a'], 0), isNamedError('PathError', /appeared while the download was starting/))
    await folders(false).make(['a'], 0)
    assert.ok((await stat(join(dir.path, 'root', 'a'))).isDirectory())
  })

  it('a link or a file where a folder goes is refused, and nothing is made through it', async () => {
    await mkdir(join(dir.path, 'root'))
    await mkdir(join(dir.path, 'elsewhere'))
    await symlink(join(dir.path, 'elsewhere'), join(dir.path, 'root', 'link'))
    await writeFile(join(dir.path, 'root', 'file'), 'x')
    await assert.rejects(folders(false).make(['link', 'deeper'], 0), isNamedError('PathError', /is a symbolic link: nothing is written through it/))
    await assert.rejects(stat(join(dir.path, 'elsewhere', 'deeper')))
    await assert.rejects(folders(false).make(['file', 'deeper'], 0), isNamedError('PathError', /is not a folder/))
  })

  it('an fs failure goes through io, named for its file', async () => {
    await writeFile(join(dir.path, 'plain'), 'x')
    // a root below a plain file: mkdir fails with ENOTDIR
    await assert.rejects(folders(false, join(dir.path, 'plain', 'root')).make([], 7), isNamedError('StorageError', /^file 7: /))
  })
})
