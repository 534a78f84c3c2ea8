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

  /** File `index`'s handle, as use() gives it (released at once). */
  async function handleOf (files: OpenFiles, index: number): Promise<FileHandle> {
    return await files.use(index, async (handle) => handle)
  }

  it('keeps one handle per file, opened once', async () => {
    const { files, opens } = openFiles(4)
    const [a, b] = await Promise.all([handleOf(files, 0), handleOf(files, 0)])
    assert.equal(a, b)
    assert.equal(await handleOf(files, 0), a)
    assert.deepEqual(opens, [0])
  })

  it('holds at most maxOpenFiles, closing the least recently used first', async () => {
    const { files, opens } = openFiles(2)
    const first = await handleOf(files, 0)
    await handleOf(files, 1)
    await handleOf(files, 0) // 0 is now the most recently used
    await handleOf(files, 2)
    assert.equal(files.size, 2)
    assert.equal(await handleOf(files, 0), first, 'the most recently used stayed open')
    await handleOf(files, 1)
    assert.deepEqual(opens, [0, 1, 2, 1])
  })

  it('a written file evicted is synced before it is closed; its data is on disk', async () => {
    const { files } = openFiles(1)
    await files.use(0, async (handle) => {
      await handle.write('data')
      files.written(0)
    })
    await handleOf(files, 1)
    assert.equal(await readFile(join(dir.path, 'f0'), 'utf8'), 'data')
  })

  it('syncWritten syncs each written file once; a failed sync leaves the rest marked', async () => {
    const { files, syncs } = openFiles(4, 1)
    for (const index of [0, 1, 2]) {
      await handleOf(files, index)
      files.written(index)
    }
    await assert.rejects(files.syncWritten(), /sync of 1 failed/)
    assert.deepEqual(syncs, [0])
    await assert.rejects(files.syncWritten(), /sync of 1 failed/, 'file 1 is still marked')
    assert.deepEqual(syncs, [0])
  })

  it('syncWritten syncs nothing when nothing was written since', async () => {
    const { files, syncs } = openFiles(4)
    await handleOf(files, 0)
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
    await assert.rejects(handleOf(files, 0), /no/)
    assert.equal(files.size, 0)
    await handleOf(files, 0)
    assert.equal(attempts, 2)
  })

  describe('a handle in use is never closed under it', () => {
    it('evicted while in use, it stays open until its user is done; the cap holds for new opens', async () => {
      const { files } = openFiles(1)
      let held: FileHandle | undefined
      await files.use(0, async (handle) => {
        held = handle
        await files.use(1, async () => {}) // evicts 0, in use: out of the map, not closed
        assert.equal(files.size, 1)
        await new Promise(resolve => setTimeout(resolve, 10))
        await handle.write('still open')
        await handle.stat()
      })
      await new Promise(resolve => setTimeout(resolve, 10))
      assert.equal(held?.fd, -1, 'closed once its user was done')
      assert.equal(await readFile(join(dir.path, 'f0'), 'utf8'), 'still open')
    })

    it('eviction takes the least recently used handle no one is using', async () => {
      const { files, opens } = openFiles(2)
      await files.use(0, async () => {
        await handleOf(files, 1)
        await handleOf(files, 2) // 0 is the oldest but in use: 1 goes
        await handleOf(files, 0)
      })
      await handleOf(files, 2)
      assert.deepEqual(opens, [0, 1, 2])
    })

    it('many concurrent users of more files than handles: every use finds its handle open', async () => {
      const { files } = openFiles(2)
      await Promise.all(Array.from({ length: 60 }, async (_, i) => {
        await files.use(i % 7, async (handle) => {
          await handle.write(`${i};`)
          files.written(i % 7)
          await new Promise(resolve => setTimeout(resolve, i % 3))
          await handle.stat()
        })
      }))
      assert.ok(files.size <= 2)
      await files.syncWritten()
    })

    it('a written file evicted while in use is synced when its user is done, and syncWritten waits for it', async () => {
      const { files } = openFiles(1)
      await files.use(0, async (handle) => {
        await handle.write('data')
        files.written(0)
        await files.use(1, async () => {})
      })
      await files.syncWritten()
      assert.equal(await readFile(join(dir.path, 'f0'), 'utf8'), 'data')
    })

    it('closeAll waits for users, then closes every handle', async () => {
      const { files } = openFiles(2)
      let held: FileHandle | undefined
      let release = (): void => {}
      const using = files.use(0, async (handle) => {
        held = handle
        await new Promise<void>(resolve => { release = resolve })
        await handle.write('after closeAll was called')
      })
      await new Promise(resolve => setTimeout(resolve, 5))
      const closing = files.closeAll()
      assert.equal(files.size, 0)
      release()
      await using
      await closing
      assert.equal(held?.fd, -1)
      assert.equal(await readFile(join(dir.path, 'f0'), 'utf8'), 'after closeAll was called')
    })
  })
})
