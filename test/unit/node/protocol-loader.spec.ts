/**
 * The protocol loader resolves a package name or subpath as Node's `import` would from a file
 * in the config's folder: real packages laid out in a temporary node_modules ("exports" maps
 * with conditions and patterns, "main", scoped names, ESM-only, a package naming itself, the
 * shoal package linked in as an install makes it), and a clear error for each way it fails.
 */
import assert from 'node:assert/strict'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { importProtocolFactory } from '../../../src/node/protocol-loader.js'
import { exportedSubpaths, packageName } from '../../../src/node/package-resolve.js'
import { tempDir } from '../../helpers/temp.js'
import { isNamedError } from '../fixtures.js'

/** The repository: this file runs as dist/test/unit/node/protocol-loader.spec.js. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url))

/** A module whose factory returns `tag`, so a test can tell which file was imported. */
function tagged (tag: string): string {
  return `export default function factory () { return ${JSON.stringify(tag)} }\n`
}

async function put (path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, text)
}

/** `node_modules/<name>` under `dir` with this package.json and files. */
async function install (dir: string, name: string, pkg: Record<string, unknown>, files: Record<string, string>): Promise<void> {
  const root = join(dir, 'node_modules', name)
  await put(join(root, 'package.json'), JSON.stringify({ name, version: '1.0.0', ...pkg }))
  for (const [path, text] of Object.entries(files)) await put(join(root, path), text)
}

describe('protocol loader: modules by package name', () => {
  let tmp: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => {
    tmp = await tempDir('shoal-loader-')
    // a user's project: its own package scope, whatever package encloses the temp folder
    await put(join(tmp.path, 'package.json'), JSON.stringify({ name: 'a-users-project', private: true }))
  })
  afterEach(async () => { await tmp.cleanup() })

  /** Load `specifier` from `baseDir` and call its factory: the tag of the module it found. */
  async function tagOf (specifier: string, baseDir = tmp.path): Promise<string> {
    const factory = await importProtocolFactory(specifier, baseDir) as unknown as () => string
    return factory()
  }

  it('a bare name picks the "import" target under "node" from conditional exports, not "require"', async () => {
    await install(tmp.path, 'cond', {
      type: 'module',
      exports: { '.': { node: { import: './node-import.js', require: './node-require.cjs' }, default: './default.js' } }
    }, { 'node-import.js': tagged('node-import'), 'node-require.cjs': 'module.exports = () => "require"\n', 'default.js': tagged('default') })
    assert.equal(await tagOf('cond'), 'node-import')
  })

  it('an ESM-only package (exports with "import" alone)', async () => {
    await install(tmp.path, 'esm-only', { type: 'module', exports: { import: './lib/index.js' } }, { 'lib/index.js': tagged('esm-only') })
    assert.equal(await tagOf('esm-only'), 'esm-only')
  })

  it('subpaths from an exports map, subpath patterns included', async () => {
    await install(tmp.path, 'multi', {
      type: 'module',
      exports: { '.': './lib/main.js', './protocols/chat': './lib/chat.js', './extra/*': './lib/extra/*/index.js' }
    }, { 'lib/main.js': tagged('main'), 'lib/chat.js': tagged('chat'), 'lib/extra/ping/index.js': tagged('ping') })
    assert.equal(await tagOf('multi'), 'main')
    assert.equal(await tagOf('multi/protocols/chat'), 'chat')
    assert.equal(await tagOf('multi/extra/ping'), 'ping')
  })

  it('a package without "exports": "main" for the name, any file by its subpath', async () => {
    await install(tmp.path, 'legacy', { type: 'module', main: './lib/entry.js' }, { 'lib/entry.js': tagged('entry'), 'lib/other.js': tagged('other') })
    assert.equal(await tagOf('legacy'), 'entry')
    assert.equal(await tagOf('legacy/lib/other.js'), 'other')
  })

  it('a scoped package and its subpath', async () => {
    await install(tmp.path, '@acme/protocols', { type: 'module', exports: { './gossip': './gossip.js' } }, { 'gossip.js': tagged('gossip') })
    assert.equal(await tagOf('@acme/protocols/gossip'), 'gossip')
  })

  it('from a node_modules in a folder above the config folder, as Node looks upwards', async () => {
    await install(tmp.path, 'up', { type: 'module', exports: './up.js' }, { 'up.js': tagged('up') })
    await mkdir(join(tmp.path, 'deep', 'config'), { recursive: true })
    assert.equal(await tagOf('up', join(tmp.path, 'deep', 'config')), 'up')
  })

  it('a package naming itself from a config inside it (self-reference)', async () => {
    await put(join(tmp.path, 'package.json'), JSON.stringify({ name: 'my-node', type: 'module', exports: { './chat': './src/chat.js' } }))
    await put(join(tmp.path, 'src', 'chat.js'), tagged('self'))
    await mkdir(join(tmp.path, 'config'))
    assert.equal(await tagOf('my-node/chat', join(tmp.path, 'config')), 'self')
  })

  it('"shoal/examples/who-has" from a folder where node_modules/shoal links to the package, as an install makes it', async () => {
    await mkdir(join(tmp.path, 'node_modules'))
    await symlink(ROOT, join(tmp.path, 'node_modules', 'shoal'), 'dir')
    const { whoHas } = await import('../../../protocols/examples/who-has/index.js')
    assert.equal(await importProtocolFactory('shoal/examples/who-has', tmp.path), whoHas)
    // peer exchange is built in, exported as shoal/peer-exchange and still as its old example name
    const { peerExchange } = await import('../../../protocols/peer-exchange/index.js')
    assert.equal(await importProtocolFactory('shoal/peer-exchange', tmp.path), peerExchange)
    assert.equal(await importProtocolFactory('shoal/examples/peer-exchange', tmp.path), peerExchange)
    // a path inside the package is not exported: the message names what is
    await assert.rejects(importProtocolFactory('shoal/dist/protocols/examples/who-has/index.js', tmp.path),
      isNamedError('ProtocolLoadError', /"shoal\/dist\/protocols\/examples\/who-has\/index\.js" is not exported by package "shoal" .*it exports shoal, shoal\/testing, shoal\/peer-exchange, shoal\/examples\/peer-exchange, shoal\/examples\/\*/))
  })

  it('"shoal/examples/who-has" from a config inside the shoal package itself (self-reference)', async () => {
    const { whoHas } = await import('../../../protocols/examples/who-has/index.js')
    assert.equal(await importProtocolFactory('shoal/examples/who-has', join(ROOT, 'config')), whoHas)
  })

  describe('clear errors', () => {
    it('a package that is not installed says where it looked and how to install it', async () => {
      await assert.rejects(importProtocolFactory('not-installed/sub', tmp.path),
        isNamedError('ProtocolLoadError', new RegExp(`"not-installed/sub" cannot be found: no file or installed package "not-installed", looking from ${tmp.path} \\(install it there with npm install not-installed\\)`)))
    })

    it('a subpath the package does not export names the exported subpaths', async () => {
      await install(tmp.path, 'closed', { type: 'module', exports: { '.': './main.js', './open': './open.js', './hidden': null } }, { 'main.js': tagged('main'), 'open.js': tagged('open'), 'secret.js': tagged('secret') })
      await assert.rejects(importProtocolFactory('closed/secret.js', tmp.path),
        isNamedError('ProtocolLoadError', /"closed\/secret\.js" is not exported by package "closed" \(.*node_modules\/closed\/package\.json\): it exports closed, closed\/open$/))
    })

    it('a package whose exports have no main entry, named alone', async () => {
      await install(tmp.path, 'nomain', { type: 'module', exports: { './a': './a.js' } }, { 'a.js': tagged('a') })
      await assert.rejects(importProtocolFactory('nomain', tmp.path),
        isNamedError('ProtocolLoadError', /"nomain" has no main entry in the "exports" of package "nomain" .*it exports nomain\/a$/))
    })

    it('a CommonJS-only export ("require" alone) is not found by import, as in Node', async () => {
      await install(tmp.path, 'cjs-only', { exports: { require: './index.cjs' } }, { 'index.cjs': 'module.exports = () => "cjs"\n' })
      await assert.rejects(importProtocolFactory('cjs-only', tmp.path), isNamedError('ProtocolLoadError', /"cjs-only" has no main entry/))
    })

    it('an export whose file is missing', async () => {
      await install(tmp.path, 'broken', { type: 'module', exports: './gone.js' }, {})
      await assert.rejects(importProtocolFactory('broken', tmp.path), isNamedError('ProtocolLoadError', /"broken" cannot be found: it resolves to .*gone\.js, which does not exist/))
    })

    it('a module without a factory names the file it resolved to', async () => {
      await install(tmp.path, 'nofactory', { type: 'module', exports: { '.': './main.js', './sub': './sub.js' } }, { 'main.js': 'export const x = 1\n', 'sub.js': 'export const y = 2\n' })
      await assert.rejects(importProtocolFactory('nofactory/sub', tmp.path),
        isNamedError('ProtocolLoadError', /"nofactory\/sub" does not export a factory \(.*node_modules\/nofactory\/sub\.js\): its default export/))
    })
  })

  it('packageName and exportedSubpaths', () => {
    assert.equal(packageName('pkg'), 'pkg')
    assert.equal(packageName('pkg/a/b.js'), 'pkg')
    assert.equal(packageName('@scope/pkg/a'), '@scope/pkg')
    assert.deepEqual(exportedSubpaths('p', './index.js'), ['p'])
    assert.deepEqual(exportedSubpaths('p', { import: './i.js', default: './d.js' }), ['p'])
    assert.deepEqual(exportedSubpaths('p', { '.': './i.js', './a': './a.js', './b/*': './b/*.js', './private': null }), ['p', 'p/a', 'p/b/*'])
    assert.deepEqual(exportedSubpaths('p', undefined), [])
  })
})
