import assert from 'node:assert/strict'
import { open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { OpenFiles } from '../../../src/storage/open-files.js'
import { tempDir } from '../../helpers/temp.js'
import type { FileHandle } from 'node:fs/promises'

describe('storage/open-files', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let files: OpenFiles | undefined
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => {
    await files?.closeAll().catch(() => {})
    await dir.cleanup()
  })

  /** OpenFiles over `f<index>` in the temp folder, counting opens and syncs. */
  function openFiles (maxOpenFiles: number, failSync?: number): { files: OpenFiles, opens: number[], syncs: number[] } {
    const opens: number[] = []
    const syncs: number[] = []
    files = new OpenFiles({
      maxOpenFiles,
      open: async (index) => { opens.push(index); return await open(join(dir.path, `f${index}`), 'a+') },
      sync: async (handle, index) => {
        if (index === failSync) throw new Error(`sync of ${index} failed`)
        syncs.push(index)
        await handle.datasync()
      }
    })
    return { files, opens, syncs }
  }

  it('keeps one handle per file, opened once', async () => {
    const { files, opens } = openFiles(4)
    const [a, b] = await Promise.all([files.handle(0), files.handle(0)])
    assert.equal(a, b)
    assert.equal(await files.handle(0), a)
    assert.deepEqual(opens, [0])
  })

  it('holds at most maxOpenFiles, closing the least recently used first', async () => {
    const { files, opens } = openFiles(2)
    const first = await files.handle(0)
    await files.handle(1)
    await files.handle(0) // 0 is now the most recently used
    await files.handle(2)
    assert.equal(files.size, 2)
    assert.equal(await files.handle(0), first, 'the most recently used stayed open')
    await files.handle(1)
    assert.deepEqual(opens, [0, 1, 2, 1])
  })

  it('a written file evicted is synced before it is closed; its data is on disk', async () => {
    const { files } = openFiles(1)
    const handle: FileHandle = await files.handle(0)
    await handle.write('data')
    files.written(0)
    await files.handle(1)
    assert.equal(await readFile(join(dir.path, 'f0'), 'utf8'), 'data')
  })

  it('syncWritten syncs each written file once; a failed sync leaves the rest marked', async () => {
    const { files, syncs } = openFiles(4, 1)
    for (const index of [0, 1, 2]) {
      await files.handle(index)
      files.written(index)
    }
    await assert.rejects(files.syncWritten(), /sync of 1 failed/)
    assert.deepEqual(syncs, [0])
    await assert.rejects(files.syncWritten(), /sync of 1 failed/, 'file 1 is still marked')
    assert.deepEqual(syncs, [0])
  })

  it('syncWritten syncs nothing when nothing was written since', async () => {
    const { files, syncs } = openFiles(4)
    await files.handle(0)
    files.written(0)
    await files.syncWritten()
    await files.syncWritten()
    assert.deepEqual(syncs, [0])
  })

  it('an open that fails is not kept: the next asks again', async () => {
    let attempts = 0
    files = new OpenFiles({
      maxOpenFiles: 2,
      open: async () => { attempts++; if (attempts === 1) throw new Error('no'); return await open(join(dir.path, 'f'), 'a+') },
      sync: async () => {}
    })
    await assert.rejects(files.handle(0), /no/)
    assert.equal(files.size, 0)
    await files.handle(0)
    assert.equal(attempts, 2)
  })
})
