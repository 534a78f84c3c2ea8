/**
 * The `shoal` bin on the Node.js it finds: an older Node than package.json's minimum gets one
 * plain line and exit 1 (no SyntaxError from a dependency, no stack); a supported Node runs it
 * with no V8 "unrecognized flag" noise; and a config can name a shipped example protocol by
 * package ("shoal/examples/who-has") from a folder where shoal is installed.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isOlder, minimumNode } from '../../src/cli/node-version.js'
import { tempDir } from '../helpers/temp.js'
import { NODE, SHOAL_JS, STACK_LINE, ShoalProcess, explain, killAll, writeConfig } from './helpers/shoal-process.js'
import type { RunResult } from './helpers/shoal-process.js'

/** The repository: this file runs as dist/test/e2e/node-versions.spec.js. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const MINIMUM = minimumNode(readFileSync(join(ROOT, 'package.json'), 'utf8')) ?? ''

/** A `node` on PATH (outside any node_modules) older than the minimum, e.g. the system Node 20; undefined if none. */
function olderNodeOnPath (): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const node = join(dir, 'node')
    if (dir === '' || dir.includes('node_modules') || !existsSync(node)) continue
    const version = spawnSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim()
    if (version !== undefined && /^\d+\.\d+\.\d+$/.test(version) && isOlder(version, MINIMUM)) return node
  }
  return undefined
}

async function run (command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  return await new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code, signal) => { resolve({ code, signal, stdout, stderr }) })
  })
}

/** PATH with `node`'s folder first, so the bin's `#!/usr/bin/env -S node ...` line finds it. */
function pathWith (node: string): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` }
}

function assertRefused (r: RunResult, version: string): void {
  assert.equal(r.code, 1, explain(r))
  assert.equal(r.stdout, '', explain(r))
  assert.equal(r.stderr, `shoal: needs Node.js 22.12 or newer, this is ${version}: install the current LTS from https://nodejs.org or with your version manager (nvm install --lts)\n`, explain(r))
  assert.doesNotMatch(r.stderr, /SyntaxError|unrecognized flag/, explain(r))
  assert.doesNotMatch(r.stderr, STACK_LINE, explain(r))
}

describe('e2e: node versions', function () {
  this.timeout(60_000)

  it('an older Node on PATH gets one line saying what is needed and what to do, exit 1', async function () {
    const old = olderNodeOnPath()
    // no older Node here: test/unit/cli/node-version.spec.ts checks the same with version strings
    if (old === undefined) this.skip()
    const version = spawnSync(old, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim()
    assertRefused(await run(old, [SHOAL_JS, 'status']), version)
    // through the bin's own #! line, as `shoal` on PATH runs it
    assertRefused(await run(SHOAL_JS, ['add', '.'], pathWith(old)), version)
  })

  it('a supported Node runs the bin with no V8 flag noise, through its #! line too', async () => {
    for (const r of [await run(NODE, [SHOAL_JS, '--version']), await run(SHOAL_JS, ['--version'], pathWith(NODE))]) {
      assert.equal(r.code, 0, explain(r))
      assert.match(r.stdout, /^shoal \d+\.\d+\.\d+\n$/, explain(r))
      assert.equal(r.stderr, '', explain(r))
    }
  })
})

describe('e2e: a protocol module named by package', function () {
  this.timeout(60_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir('shoal-e2e-by-package-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  it('"shoal/examples/who-has" loads from a project where shoal is installed', async () => {
    // a user's project: its package.json, and node_modules/shoal linked as npm link or a local install makes it
    await writeFile(join(dir.path, 'package.json'), JSON.stringify({ name: 'my-project', private: true }))
    await mkdir(join(dir.path, 'node_modules'))
    await symlink(ROOT, join(dir.path, 'node_modules', 'shoal'), 'dir')
    await writeConfig(join(dir.path, 'node'), { protocols: [{ module: 'shoal/examples/who-has' }] })
    const node = await ShoalProcess.start(join(dir.path, 'node', 'config.json'))
    const status = await node.status() as unknown as { protocols: Array<{ module: string, protocolIds: string[] }> }
    assert.deepEqual(status.protocols.at(-1), { module: 'shoal/examples/who-has', protocolIds: ['/shoal-example/who-has/1.0.0'] })
    await node.kill()
  })
})
