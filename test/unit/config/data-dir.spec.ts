/**
 * dataDir is the node's own (issue 12, item 9): made 0700, what an older version left looser
 * tightened, and nothing else touched: not a shared folder, not a file reached through a link.
 */
import assert from 'node:assert/strict'
import { chmod, mkdir, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { preparePrivateDataDir } from '../../../src/config/data-dir.js'
import { tempDir } from '../../helpers/temp.js'

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o7777

describe('config/data-dir: preparePrivateDataDir', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  const warnings: string[] = []
  const warn = (message: string): void => { warnings.push(message) }
  beforeEach(async () => { dir = await tempDir('shoal-datadir-'); warnings.length = 0 })
  afterEach(async () => { await dir.cleanup() })

  it('makes a missing dataDir (and its missing parents) 0700', async () => {
    const dataDir = join(dir.path, 'a', 'b')
    await preparePrivateDataDir(dataDir, warn)
    assert.equal(await modeOf(dataDir), 0o700)
    assert.deepEqual(warnings, [])
  })

  it('tightens a dataDir reached through a link, but no file a link inside it leads to', async () => {
    const real = join(dir.path, 'real')
    await mkdir(join(real, 'manifests'), { recursive: true, mode: 0o755 })
    await chmod(real, 0o755)
    const outside = join(dir.path, 'outside.txt')
    await writeFile(outside, 'x', { mode: 0o644 })
    await chmod(outside, 0o644)
    await symlink(outside, join(real, 'manifests', 'linked'))
    await symlink(real, join(dir.path, 'data'))
    await preparePrivateDataDir(join(dir.path, 'data'), warn)
    assert.equal(await modeOf(real), 0o700)
    assert.equal(await modeOf(join(real, 'manifests')), 0o700)
    assert.equal(await modeOf(outside), 0o644)
  })

  it('leaves a shared (sticky) folder as it is, with a warning', async () => {
    const shared = join(dir.path, 'shared')
    await mkdir(shared)
    await chmod(shared, 0o1777)
    await preparePrivateDataDir(shared, warn)
    assert.equal(await modeOf(shared), 0o1777)
    assert.match(warnings.join('\n'), /shared folder/)
  })
})
