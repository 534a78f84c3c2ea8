import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, rmdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { generateSwarmKey } from '../../src/node/swarm-key.js'
import { PROJECT_ROOT, npmPack, secretPaths } from '../helpers/package-contents.js'

/** Where keys, tokens and data sat before they were moved out of config/: planted there for the test. */
const PLANTED = {
  'config/data/x/identity.key': 'a node identity key',
  'config/data/x/api.token': 'an API token',
  'config/data/x/swarms.json': '{ "swarms": [] }',
  'config/swarm.key': generateSwarmKey(),
  'data/seeder/identity.key': 'a node identity key'
}

describe('e2e: the npm package', function () {
  this.timeout(120_000)
  // only files and folders this test makes are removed afterwards: a developer's own stay as they are
  const madeFiles: string[] = []
  const madeFolders: string[] = []

  before(async () => {
    for (const [path, text] of Object.entries(PLANTED)) {
      const file = join(PROJECT_ROOT, path)
      const missing: string[] = []
      for (let dir = dirname(file); !existsSync(dir); dir = dirname(dir)) missing.unshift(dir)
      await mkdir(dirname(file), { recursive: true })
      madeFolders.push(...missing)
      try {
        await writeFile(file, text, { flag: 'wx', mode: 0o600 })
        madeFiles.push(file)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      }
    }
  })

  after(async () => {
    for (const file of madeFiles) await rm(file, { force: true })
    for (const folder of madeFolders.reverse()) await rmdir(folder).catch(() => {})
  })

  it('npm pack holds no key, token or data file, with keys and data planted where they used to be', async () => {
    const { paths } = await npmPack({ dryRun: true })
    assert.deepEqual(secretPaths(paths), [], `npm pack would ship:\n${secretPaths(paths).join('\n')}`)
  })

  it('npm pack holds what a user needs: the built CLI and library, the protocols, the example configs, the README', async () => {
    const { paths } = await npmPack({ dryRun: true })
    const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { bin: { shoal: string } }
    for (const path of [pkg.bin.shoal.replace(/^\.\//, ''), 'package.json', 'README.md', 'dist/src/index.js', 'dist/src/index.d.ts', 'config/default.json', 'config/seeder.json', 'config/private-swarm.json', 'protocols/piece-exchange/SPEC.md']) {
      assert.ok(paths.includes(path), `${path} is not in the package`)
    }
    assert.ok(paths.some(p => p.startsWith('dist/protocols/examples/who-has/')), 'the who-has example is not in the package')
    const stray = paths.filter(p => /^(dist\/(test|bench)|test|bench|src)\//.test(p))
    assert.deepEqual(stray, [], 'tests, benchmarks or TypeScript sources of src/ are packed')
  })

  it('the secret check itself catches each kind', () => {
    assert.deepEqual(secretPaths([
      'config/data/x/identity.key', 'config/data/x/notes.txt', 'config/swarm.key', 'api.token', 'x/api', 'x/bans.json',
      'dist/src/utils/token-bucket.js', 'dist/src/api/client.js', 'config/seeder.json', '.env', 'a/.npmrc', 'swarms/bafy.have'
    ]).map(line => line.split(' ')[0]), ['config/data/x/identity.key', 'config/data/x/notes.txt', 'config/swarm.key', 'api.token', 'x/api', 'x/bans.json', '.env', 'a/.npmrc', 'swarms/bafy.have'])
  })
})
