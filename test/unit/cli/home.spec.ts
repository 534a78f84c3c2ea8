import assert from 'node:assert/strict'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { EMBEDDED_DEFAULT_CONFIG, homeConfigPath, makeHomeConfig, shoalHome } from '../../../src/cli/home.js'
import { tempDir } from '../../helpers/temp.js'

describe('cli/home: the node a command without --config means', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir('shoal-home-') })
  afterEach(async () => { await dir.cleanup() })

  it('is SHOAL_HOME when set, else ~/.shoal', () => {
    assert.equal(shoalHome({ SHOAL_HOME: '/srv/shoal' }), '/srv/shoal')
    assert.equal(shoalHome({}), join(homedir(), '.shoal'))
    assert.equal(shoalHome({ SHOAL_HOME: '' }), join(homedir(), '.shoal'))
    assert.equal(homeConfigPath('/srv/shoal'), '/srv/shoal/config.json')
  })

  it('the first start makes the home (0700) and its config.json from the embedded default', async () => {
    const home = join(dir.path, 'a', '.shoal')
    assert.equal(await makeHomeConfig(home), join(home, 'config.json'))
    assert.equal(await readFile(join(home, 'config.json'), 'utf8'), await readFile(EMBEDDED_DEFAULT_CONFIG, 'utf8'))
    if (process.platform !== 'win32') {
      assert.equal(((await stat(home)).mode & 0o777).toString(8), '700')
      assert.equal(((await stat(join(home, 'config.json'))).mode & 0o777).toString(8), '600')
    }
    assert.match(await readFile(join(home, 'config.json'), 'utf8'), /"dataDir": "\.\/data"/, 'the data folder is not $SHOAL_HOME/data')
  })

  it('never replaces a config the home has', async () => {
    const home = join(dir.path, 'home')
    await makeHomeConfig(home)
    await writeFile(join(home, 'config.json'), '{ "dataDir": "./mine" }')
    assert.equal(await makeHomeConfig(home), undefined)
    assert.equal(await readFile(join(home, 'config.json'), 'utf8'), '{ "dataDir": "./mine" }')
  })

  it('a home that cannot be made is a ConfigError naming it and SHOAL_HOME', async () => {
    await writeFile(join(dir.path, 'file'), '')
    await assert.rejects(makeHomeConfig(join(dir.path, 'file', 'home')), (err: Error) => {
      assert.equal(err.name, 'ConfigError')
      assert.match(err.message, /file\/home/)
      assert.match(err.message, /SHOAL_HOME/)
      return true
    })
  })
})
