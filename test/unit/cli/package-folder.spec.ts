import assert from 'node:assert/strict'
import { mkdir, symlink } from 'node:fs/promises'
import { join } from 'node:path'
import { PACKAGE_ROOT, isInstalled, refuseDataDirInPackage } from '../../../src/cli/package-folder.js'
import { tempDir } from '../../helpers/temp.js'

describe('cli/package-folder', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir('shoal-package-folder-') })
  afterEach(async () => { await dir.cleanup() })

  it('an installed package is one in a node_modules folder; this checkout is not', () => {
    assert.equal(isInstalled('/usr/lib/node_modules/shoal'), true)
    assert.equal(isInstalled('/home/me/.npm/_npx/abc/node_modules/shoal/'), true)
    assert.equal(isInstalled('/home/me/src/shoal'), false)
    assert.equal(isInstalled(PACKAGE_ROOT), false, `the tests run from a checkout: ${PACKAGE_ROOT}`)
  })

  it('a dataDir inside an installed package is refused, naming both and the way out; one beside it is not', async () => {
    const pkg = join(dir.path, 'app', 'node_modules', 'shoal')
    await mkdir(join(pkg, 'config'), { recursive: true })
    assert.throws(() => { refuseDataDirInPackage(join(pkg, 'config', 'data'), pkg) }, (err: Error) => {
      assert.equal(err.name, 'ConfigError')
      assert.ok(err.message.includes(`dataDir ${join(pkg, 'config', 'data')} is inside the installed shoal package`), err.message)
      assert.match(err.message, /SHOAL_HOME/)
      return true
    })
    assert.throws(() => { refuseDataDirInPackage(pkg, pkg) }, { name: 'ConfigError' })
    refuseDataDirInPackage(join(dir.path, 'app', 'data'), pkg)
    refuseDataDirInPackage(join(dir.path, 'app', 'node_modules', 'shoal-data'), pkg)
  })

  it('through a symbolic link to the package (npm link, a linked prefix), still refused', async () => {
    const pkg = join(dir.path, 'lib', 'node_modules', 'shoal')
    await mkdir(pkg, { recursive: true })
    await symlink(join(dir.path, 'lib'), join(dir.path, 'linked'))
    assert.throws(() => { refuseDataDirInPackage(join(dir.path, 'linked', 'node_modules', 'shoal', 'data', 'x'), pkg) }, { name: 'ConfigError' })
  })

  it('in a checkout of the repository, its own folders are the user\'s (config/seeder.json keeps data in data/seeder)', () => {
    refuseDataDirInPackage(join(PACKAGE_ROOT, 'data', 'seeder'))
  })
})
