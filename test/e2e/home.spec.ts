import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EMBEDDED_DEFAULT_CONFIG } from '../../src/cli/home.js'
import { tempDir } from '../helpers/temp.js'
import { STACK_LINE, ShoalProcess, explain, killAll, runShoal } from './helpers/shoal-process.js'

/**
 * Start the home node (`shoal start` without --config, SHOAL_HOME = `home`). The default
 * config listens on a fixed port; should another node on this machine hold it, the start
 * fails after making the home, and the node is started again on any free port.
 */
async function startHomeNode (home: string): Promise<{ node: ShoalProcess, firstOutput: string }> {
  const configPath = join(home, 'config.json')
  try {
    const node = await ShoalProcess.start(configPath, { home })
    return { node, firstOutput: node.stdout + node.stderr }
  } catch (err) {
    const output = (err as Error).message
    if (!/in use|EADDRINUSE/i.test(output) || !existsSync(configPath)) throw err
    const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>
    await writeFile(configPath, JSON.stringify({ ...config, listen: ['/ip4/127.0.0.1/tcp/0'] }))
    return { node: await ShoalProcess.start(configPath, { home }), firstOutput: output }
  }
}

describe('e2e: the home ($SHOAL_HOME, default ~/.shoal)', function () {
  this.timeout(120_000)
  let dir: { path: string, cleanup: () => Promise<void> }

  beforeEach(async () => { dir = await tempDir('shoal-e2e-home-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  it('the first shoal start makes the home (0700) and its config.json, says so, and every command without --config reaches that node', async () => {
    const home = join(dir.path, 'home')
    const embedded = await readFile(EMBEDDED_DEFAULT_CONFIG, 'utf8')
    const { node, firstOutput } = await startHomeNode(home)
    assert.match(firstOutput, new RegExp(`made ${join(home, 'config.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} from the default config`))
    assert.equal(firstOutput.split('\n').filter(line => /made .* from the default config/.test(line)).length, 1, 'the notice is not one line')
    if (process.platform !== 'win32') assert.equal(((await stat(home)).mode & 0o777).toString(8), '700')
    assert.ok(existsSync(join(home, 'data', 'api')), 'the data folder is not $SHOAL_HOME/data')
    const env = { SHOAL_HOME: home }

    const json = await runShoal(['status', '--json'], { env, cwd: dir.path })
    assert.equal(json.code, 0, explain(json))
    assert.equal((JSON.parse(json.stdout) as { peerId: string }).peerId, (await node.status()).peerId)
    const text = await runShoal(['status'], { env, cwd: dir.path })
    assert.equal(text.code, 0, explain(text))
    assert.match(text.stdout, /^peer id:/m)

    const stop = await runShoal(['stop'], { env, cwd: dir.path })
    assert.equal(stop.code, 0, explain(stop))
    assert.equal((await node.exited).code, 0)

    // a second start uses the config as it is: no notice, nothing replaced
    const before = await readFile(join(home, 'config.json'), 'utf8')
    if (before === embedded) {
      const again = await ShoalProcess.start(join(home, 'config.json'), { home })
      assert.doesNotMatch(again.stderr + again.stdout, /from the default config/)
    }
    assert.equal(await readFile(join(home, 'config.json'), 'utf8'), before)
  })

  it('a client command with no home config says that no node runs and how to start one, and makes nothing', async () => {
    const home = join(dir.path, 'nowhere')
    for (const command of [['status'], ['status', '--json'], ['stop'], ['add', dir.path]]) {
      const r = await runShoal(command, { env: { SHOAL_HOME: home }, cwd: dir.path })
      assert.equal(r.code, 1, explain(r))
      assert.match(r.stderr, /no node is running/, explain(r))
      assert.match(r.stderr, /shoal start\)/, explain(r))
      assert.doesNotMatch(r.stderr, /--config/, explain(r))
      assert.doesNotMatch(r.stderr, STACK_LINE, explain(r))
    }
    assert.equal(existsSync(home), false, 'a client command made the home')
  })

  it('--config wins over SHOAL_HOME', async () => {
    const node = await ShoalProcess.create(join(dir.path, 'own'))
    const home = join(dir.path, 'home')
    const r = await runShoal(['status', '--json', '--config', node.configPath], { env: { SHOAL_HOME: home } })
    assert.equal(r.code, 0, explain(r))
    assert.equal((JSON.parse(r.stdout) as { peerId: string }).peerId, (await node.status()).peerId)
    assert.equal(existsSync(home), false)
  })
})
