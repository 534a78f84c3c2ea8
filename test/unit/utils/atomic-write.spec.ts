import assert from 'node:assert/strict'
import { readFile, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { atomicWrite } from '../../../src/utils/atomic-write.js'
import { tempDir } from '../../helpers/temp.js'

describe('utils/atomic-write', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })

  it('writes, then replaces whole, leaving no temporary file', async () => {
    const path = join(dir.path, 'state')
    await atomicWrite(path, 'first')
    await atomicWrite(path, Uint8Array.from(Buffer.from('second')))
    assert.equal(await readFile(path, 'utf8'), 'second')
    assert.deepEqual(await readdir(dir.path), ['state'])
  })

  it('creates the file with the mode given', async () => {
    const path = join(dir.path, 'secret')
    await atomicWrite(path, 'key', 0o600)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
  })
})
