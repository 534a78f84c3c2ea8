import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { delimiter, dirname, join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { PROJECT_ROOT, npmPack, runCommand, secretPaths } from '../helpers/package-contents.js'
import { lastLine, tree } from './helpers/shoal-process.js'
import { minimumNodeVersion, nodeBinary } from './helpers/minimum-node.js'
import type { CommandResult } from '../helpers/package-contents.js'
import type { ChildProcess } from 'node:child_process'

/**
 * A newcomer's first minutes, as the README tells them: the package as npm would publish it
 * (`npm pack`), installed into an empty project with a HOME of its own (so the home node is
 * that HOME's ~/.shoal), run on the oldest Node the package supports, through the installed
 * `shoal` bin itself (its `#!` line finds that Node on PATH). npm uses the machine's own cache
 * and prefers it to the network.
 */
describe('e2e: a newcomer, from the packed tarball on the minimum Node', function () {
  this.timeout(600_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let tarball: string
  let env: NodeJS.ProcessEnv
  let shoalBin: string
  const home = (): string => join(dir.path, 'home')
  const tour = (): string => join(dir.path, 'tour')
  const nodes: ChildProcess[] = []
  /** The installed package's folder, and its files as installed. */
  const installed = (): string => join(dir.path, 'app', 'node_modules', 'shoal')
  let installedTree: string[]

  before(async function () {
    const version = minimumNodeVersion()
    const node = await nodeBinary(version)
    dir = await tempDir('shoal-e2e-newcomer-')
    await Promise.all([home(), tour(), join(dir.path, 'app'), join(dir.path, 'pack')].map(async d => await mkdir(d, { recursive: true })))
    env = newcomerEnv(node, home(), (await runCommand('npm', ['config', 'get', 'cache'])).stdout.trim())
    const nodeVersion = await runCommand(node, ['--version'], { env })
    // SHOAL_NEWCOMER_NODE may name another on purpose
    if (process.env.SHOAL_NEWCOMER_NODE === undefined) assert.equal(nodeVersion.stdout.trim(), `v${version}`, `${node} is not Node ${version}`)

    assert.ok(existsSync(join(PROJECT_ROOT, 'dist', 'src', 'index.js')), 'the project is not built (npm run build)')
    tarball = (await npmPack({ dryRun: false, destination: join(dir.path, 'pack') })).tarball as string
    const app = join(dir.path, 'app')
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'newcomer', version: '1.0.0', private: true }))
    const install = await runCommand('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, env, timeoutMs: 480_000 })
    assert.equal(install.code, 0, `npm install of the tarball failed:\n${install.stderr}`)
    shoalBin = join(app, 'node_modules', '.bin', 'shoal')
    installedTree = await tree(installed())
  })

  after(async () => {
    for (const child of nodes) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await dir?.cleanup()
  })

  /** The installed bin, run as a shell would run it: its `#!` line picks the Node on PATH. */
  async function shoal (...args: string[]): Promise<CommandResult> {
    return await runCommand(shoalBin, args, { cwd: tour(), env, timeoutMs: 120_000 })
  }

  /** `shoal start ARGS` in the background; resolves once it printed "ready", with its output so far. */
  async function start (...args: string[]): Promise<{ child: ChildProcess, output: () => string }> {
    const child = spawn(shoalBin, ['start', ...args], { cwd: tour(), env, stdio: ['ignore', 'pipe', 'pipe'] })
    nodes.push(child)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const output = (): string => `${stdout}${stderr}`
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`shoal start ${args.join(' ')} printed no "ready" in 120 s:\n${output()}`)) }, 120_000)
      const onData = (): void => { if (/^ready$/m.test(stdout)) { clearTimeout(timer); resolve() } }
      child.stdout.on('data', onData)
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`shoal start ${args.join(' ')} exited ${code}:\n${output()}`)) })
    })
    child.removeAllListeners('exit')
    return { child, output }
  }

  async function exited (child: ChildProcess): Promise<number | null> {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode
    return await new Promise(resolve => child.once('exit', resolve))
  }

  it('installs, then the quick tour works with the installed shoal: two nodes, add, get by id, status, stop', async () => {
    const version = await shoal('--version')
    assert.equal(version.code, 0, version.stderr)
    const pkg = JSON.parse(await readFile(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }
    assert.equal(version.stdout.trim(), `shoal ${pkg.version}`)

    // the home node: the first `shoal start` makes ~/.shoal/config.json and says so
    const homeConfig = join(home(), '.shoal', 'config.json')
    const first = await startHomeNode(homeConfig)
    assert.match(first.firstOutput, /made .*\.shoal\/config\.json from the default config/)
    assert.equal(((await stat(join(home(), '.shoal'))).mode & 0o777).toString(8), '700')

    const firstStatus = await shoal('status', '--json')
    assert.equal(firstStatus.code, 0, firstStatus.stderr)
    const { peerId, addresses } = JSON.parse(firstStatus.stdout) as { peerId: string, addresses: string[] }
    const address = addresses.find(a => a.startsWith('/ip4/127.0.0.1/') && a.includes(`/p2p/${peerId}`))
    assert.ok(address !== undefined, `no loopback address in ${addresses.join(', ')}`)

    // a second node from a config file of its own, bootstrapped to the first
    const secondConfig = join(tour(), 'second.json')
    await writeFile(secondConfig, JSON.stringify({ dataDir: './second-data', listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [address], api: { host: '127.0.0.1', port: 0 } }, null, 2))
    const second = await start('--config', 'second.json')

    const photos = join(tour(), 'photos')
    await mkdir(join(photos, 'trip', 'dag 1'), { recursive: true })
    await writeFile(join(photos, 'notes.txt'), 'a small folder for the tour\n')
    await writeFile(join(photos, 'trip', 'dag 1', 'smörgåsbord ✓.txt'), 'unicode names travel too\n')
    await randomFile(join(photos, 'trip', 'picture.bin'), 600 * 1024)
    const added = await shoal('add', './photos')
    assert.equal(added.code, 0, added.stderr)
    const contentId = lastLine(added.stdout)

    const got = await shoal('get', contentId, '--config', 'second.json', '--output', './photos-copy')
    assert.equal(got.code, 0, `get: ${got.stderr}`)
    assert.deepEqual(await tree(join(tour(), 'photos-copy')), await tree(photos), 'the copy differs from the original')

    for (const config of [[], ['--config', 'second.json']]) {
      const text = await shoal('status', ...config)
      assert.equal(text.code, 0, text.stderr)
      assert.match(text.stdout, /^peer id: /m)
      assert.match(text.stdout, new RegExp(contentId))
      const json = await shoal('status', '--json', ...config)
      assert.equal(json.code, 0, json.stderr)
      const swarm = (JSON.parse(json.stdout) as { swarms: Array<{ contentId: string, state: string, piecesHave: number, pieceCount: number }> }).swarms.find(s => s.contentId === contentId)
      assert.equal(swarm?.state, 'seeding', json.stdout)
      assert.equal(swarm?.piecesHave, swarm?.pieceCount)
    }

    for (const [config, child] of [[[], first.child], [['--config', 'second.json'], second.child]] as const) {
      const stop = await shoal('stop', ...config)
      assert.equal(stop.code, 0, stop.stderr)
      assert.equal(await exited(child), 0)
    }
  })

  it('no command writes inside the installed package: a start on the package\'s own config is refused, and the tour left the folder as installed', async () => {
    const refused = await shoal('start', '--config', join(installed(), 'config', 'default.json'))
    assert.equal(refused.code, 1, refused.stderr)
    assert.ok(refused.stderr.includes(`dataDir ${join(installed(), 'config', 'data')} is inside the installed shoal package`), refused.stderr)
    assert.deepEqual(await tree(installed()), installedTree)
  })

  it('the tarball holds no key, token or data file', async () => {
    const listed = await runCommand('tar', ['-tzf', tarball])
    assert.equal(listed.code, 0, listed.stderr)
    const paths = listed.stdout.split('\n').filter(p => p !== '' && !p.endsWith('/')).map(p => p.replace(/^package\//, ''))
    assert.ok(paths.includes('package.json'), `not an npm package: ${paths.slice(0, 5).join(', ')}`)
    assert.deepEqual(secretPaths(paths), [])
  })

  /**
   * Start the home node. The default config listens on a fixed port; should another node on
   * this machine hold it, that start fails once the home is made, and the node is started
   * again on any free port.
   */
  async function startHomeNode (homeConfig: string): Promise<{ child: ChildProcess, firstOutput: string }> {
    try {
      const node = await start()
      return { child: node.child, firstOutput: node.output() }
    } catch (err) {
      const output = (err as Error).message
      if (!/in use|EADDRINUSE/i.test(output) || !existsSync(homeConfig)) throw err
      const config = JSON.parse(await readFile(homeConfig, 'utf8')) as Record<string, unknown>
      await writeFile(homeConfig, JSON.stringify({ ...config, listen: ['/ip4/127.0.0.1/tcp/0'] }))
      return { child: (await start()).child, firstOutput: output }
    }
  }
})

/**
 * A newcomer's environment: their own HOME, the minimum Node first on PATH, no SHOAL_HOME,
 * nothing npm set for the project's own scripts (npm_*, INIT_CWD, the project's
 * node_modules/.bin), and npm's existing cache, preferred to the network.
 */
function newcomerEnv (node: string, home: string, npmCache: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|SHOAL_|INIT_CWD$|NODE$|NODE_OPTIONS$|DEBUG$)/i.test(name)) continue
    env[name] = value
  }
  const path = (process.env.PATH ?? '').split(delimiter).filter(p => p !== '' && !p.includes(`node_modules${'/'}.bin`))
  return {
    ...env,
    HOME: home,
    PATH: [dirname(node), ...path].join(delimiter),
    npm_config_cache: npmCache,
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false'
  }
}
