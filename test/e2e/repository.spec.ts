/**
 * The repository's own way in, as the README shows it: `npm start` runs the home node with no
 * flags, and `npx shoal …` in the repository reaches it with no flags. The home is a temporary
 * SHOAL_HOME, so the test never touches ~/.shoal; nothing is written in the repository.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PROJECT_ROOT, runCommand } from '../helpers/package-contents.js'
import { tempDir } from '../helpers/temp.js'
import type { ChildProcess } from 'node:child_process'

/** The environment of a user's shell in the repository: no npm_* of an enclosing npm run, the home given. */
function userEnv (home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|SHOAL_|INIT_CWD$|DEBUG$)/i.test(name)) continue
    env[name] = value
  }
  return { ...env, SHOAL_HOME: home }
}

describe('e2e: in the repository, npm start and npx shoal with no flags', function () {
  this.timeout(180_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let started: ChildProcess | undefined

  beforeEach(async () => { dir = await tempDir('shoal-e2e-repository-') })
  afterEach(async () => {
    // npm start runs the node in a child of its own: the whole process group this test made goes
    if (started?.pid !== undefined && started.exitCode === null && started.signalCode === null) {
      try { process.kill(-started.pid, 'SIGKILL') } catch {}
    }
    await dir.cleanup()
  })

  /** `npm start` in the repository, in a process group of its own; resolves once it printed ready. */
  async function npmStart (env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess, output: () => string, exited: Promise<number | null> }> {
    const child = spawn('npm', ['start'], { cwd: PROJECT_ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    started = child
    let text = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { text += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { text += d })
    const exited = new Promise<number | null>(resolve => child.once('exit', resolve))
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/^ready$/m.test(text)) { clearInterval(timer); resolve() }
      }, 50)
      void exited.then(code => { clearInterval(timer); reject(new Error(`npm start exited ${code} before ready:\n${text}`)) })
    })
    return { child, output: () => text, exited }
  }

  it('npm start runs the home node; npx shoal status and npx shoal stop reach it; the repository gets no data folder', async () => {
    const home = join(dir.path, 'home')
    const env = userEnv(home)
    const hadData = existsSync(join(PROJECT_ROOT, 'data'))
    let node
    try {
      node = await npmStart(env)
    } catch (err) {
      // the default config's fixed port may be held by another node on this machine: then any free port
      const config = join(home, 'config.json')
      if (!/in use|EADDRINUSE/i.test((err as Error).message) || !existsSync(config)) throw err
      await writeFile(config, JSON.stringify({ ...JSON.parse(await readFile(config, 'utf8')), listen: ['/ip4/127.0.0.1/tcp/0'] }))
      node = await npmStart(env)
    }
    assert.ok(existsSync(join(home, 'data', 'identity.key')), 'the node keeps its data in $SHOAL_HOME/data')

    const status = await runCommand('npx', ['shoal', 'status', '--json'], { cwd: PROJECT_ROOT, env, timeoutMs: 60_000 })
    assert.equal(status.code, 0, status.stderr)
    const { peerId } = JSON.parse(status.stdout) as { peerId: string }
    assert.ok(node.output().includes(`peer id: ${peerId}`), 'npx shoal status reached the node npm start runs')

    const stop = await runCommand('npx', ['shoal', 'stop'], { cwd: PROJECT_ROOT, env, timeoutMs: 60_000 })
    assert.equal(stop.code, 0, stop.stderr)
    assert.equal(await node.exited, 0, node.output())
    assert.equal(existsSync(join(PROJECT_ROOT, 'data')), hadData, 'npm start made a data folder in the repository')
  })
})
