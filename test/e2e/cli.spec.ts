import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { tempDir } from '../helpers/temp.js'
import { NODE, SHOAL_JS, STACK_LINE, ShoalProcess, explain, killAll, modeOf, readText, runShoal, writeConfig } from './helpers/shoal-process.js'
import type { RunResult } from './helpers/shoal-process.js'
import type { AddressInfo } from 'node:net'

/** A CIDv1 (raw, sha2-256) that no node has: a valid id of unknown content. */
const UNKNOWN_CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
const PSK_FORMAT = /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}\n$/i

/**
 * `shoal ARGS | true` in bash: a real pipe whose reader exits at once, so every write of the
 * command's meets a closed pipe. The exit code is the command's (pipefail).
 */
async function pipedIntoTrue (args: string[]): Promise<{ code: number | null, stderr: string }> {
  const child = spawn('bash', ['-c', 'set -o pipefail; "$0" "$@" | true', NODE, SHOAL_JS, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const code = await new Promise<number | null>(resolve => child.once('close', resolve))
  return { code, stderr }
}

/** Failed with `code` (any non-zero when omitted), said something matching `message`, and showed no stack trace. */
function assertCleanFailure (r: RunResult, message: RegExp, code?: number): void {
  if (code === undefined) assert.ok(r.code !== null && r.code !== 0, `expected a non-zero exit: ${explain(r)}`)
  else assert.equal(r.code, code, `expected exit ${code}: ${explain(r)}`)
  const output = r.stdout + r.stderr
  assert.match(output, message, explain(r))
  assert.doesNotMatch(output, STACK_LINE, `a stack trace was shown: ${explain(r)}`)
  assert.doesNotMatch(output, /unexpected error/i, `an internal error instead of a clear message: ${explain(r)}`)
}

describe('e2e: the shoal CLI on bad input', function () {
  this.timeout(30_000)
  let dir: { path: string, cleanup: () => Promise<void> }

  beforeEach(async () => { dir = await tempDir('shoal-e2e-cli-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  /** `shoal start` on a config that must be refused; bounded, so a node that does start cannot hang the test. */
  async function startWith (configPath: string): Promise<RunResult> {
    return await runShoal(['start', '--config', configPath], { timeoutMs: 20_000 })
  }

  describe('config errors make start fail and name the problem', () => {
    it('an unknown key', async () => {
      assertCleanFailure(await startWith(await writeConfig(dir.path, { nosuchkey: 1 })), /nosuchkey/)
    })

    it('a misspelled key, with the key meant', async () => {
      assertCleanFailure(await startWith(await writeConfig(dir.path, { limits: { uploadrate: 1024 } })), /unknown key "limits\.uploadrate" \(did you mean "limits\.uploadRate"\?\)/)
    })

    it('a duration that is none, with the forms it may take', async () => {
      assertCleanFailure(await startWith(await writeConfig(dir.path, { timeouts: { discovery: 'a minute' } })), /"timeouts\.discovery": "a minute" is not a duration: give milliseconds \(a number\) or a string such as "1500ms", "30s", "2m" or "1h"/)
    })

    it('a bad value', async () => {
      assertCleanFailure(await startWith(await writeConfig(dir.path, { limits: 'fast' })), /limits/)
    })

    it('invalid JSON', async () => {
      const path = join(dir.path, 'broken.json')
      await writeFile(path, '{ "dataDir": "./data", ')
      assertCleanFailure(await startWith(path), /broken\.json.*JSON|JSON.*broken\.json/)
    })

    it('a missing config file', async () => {
      const path = join(dir.path, 'no-such-config.json')
      assertCleanFailure(await startWith(path), /no-such-config\.json.*(no such|not found|missing|does not exist)/i)
    })
  })

  describe('against a running node', () => {
    let node: ShoalProcess
    beforeEach(async () => { node = await ShoalProcess.create(join(dir.path, 'node')) })

    it('status piped into a reader that has gone (| true) ends quietly, exit 0, no EPIPE trace', async () => {
      for (const args of [['status', '--peers', '--config', node.configPath], ['--help']]) {
        const r = await pipedIntoTrue(args)
        assert.ok(r.code === 0 || r.code === 141, `exit ${String(r.code)} for shoal ${args.join(' ')}: ${r.stderr}`)
        assert.equal(r.stderr, '', `shoal ${args.join(' ')} wrote to stderr`)
      }
    })

    it('get of a malformed content id exits non-zero and says so', async () => {
      assertCleanFailure(await node.shoal('get', 'not-a-cid', '--output', join(dir.path, 'x')), /content id|cid/i)
    })

    it('add of a missing path exits non-zero and names the path', async () => {
      assertCleanFailure(await node.shoal('add', join(dir.path, 'does-not-exist')), /does-not-exist/)
    })

    it('get of unknown content with --timeout 2s gives up saying no peer was found', async () => {
      const started = Date.now()
      const r = await node.shoal('get', UNKNOWN_CID, '--timeout', '2s', '--output', join(dir.path, 'x'))
      assertCleanFailure(r, /no peer/i)
      assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms to give up after a 2 s timeout`)
    })

    it('--timeout abc is a usage error (exit 2)', async () => {
      assertCleanFailure(await node.shoal('get', UNKNOWN_CID, '--timeout', 'abc'), /timeout/, 2)
    })

    it('add of a folder skips a symbolic link with a notice; --follow-symlinks follows it', async () => {
      const tree = join(dir.path, 'tree')
      await mkdir(tree)
      await writeFile(join(tree, 'notes.txt'), 'public')
      const secret = join(dir.path, 'id_ed25519')
      await writeFile(secret, 'private key')
      await symlink(secret, join(tree, 'key'))
      const skipping = await node.shoal('add', tree)
      assert.equal(skipping.code, 0, explain(skipping))
      assert.match(skipping.stderr, /skipped 1 symbolic link \(key\); add --follow-symlinks to follow them/)
      const following = await node.shoal('add', tree, '--follow-symlinks')
      assert.equal(following.code, 0, explain(following))
      assert.doesNotMatch(following.stderr, /skipped/)
      assert.notEqual(following.stdout.trim(), skipping.stdout.trim(), 'the followed link made no difference to the content')
    })

    it('add of a folder whose names are one file on macOS and Windows fails and says which', async () => {
      const tree = join(dir.path, 'cases')
      await mkdir(tree)
      await writeFile(join(tree, 'Makefile'), 'a')
      await writeFile(join(tree, 'makefile'), 'b')
      assertCleanFailure(await node.shoal('add', tree), /"Makefile" and "makefile" are one name on case-insensitive file systems/)
    })

    it('get without --output of content named with a leading dot asks for --output and writes nothing', async () => {
      const hidden = join(dir.path, 'src', '.ssh')
      await mkdir(hidden, { recursive: true })
      await writeFile(join(hidden, 'authorized_keys'), 'ssh-ed25519 AAAA attacker')
      const added = await node.shoal('add', hidden)
      assert.equal(added.code, 0, explain(added))
      const home = join(dir.path, 'home')
      await mkdir(home)
      const r = await node.run(['get', added.stdout.trim()], { cwd: home })
      assertCleanFailure(r, /named "\.ssh", which starts with a dot: give --output/)
      assert.deepEqual(await readdir(home), [])
    })
  })

  describe('a mistyped command line gets the CLI\'s own usage error (exit 2)', () => {
    /** Exit 2, one line naming the problem, the usage hint, and none of node's parser text. */
    function assertUsageError (r: RunResult, line: string): void {
      assertCleanFailure(r, /run "shoal --help" for usage/, 2)
      assert.equal(r.stderr.split('\n')[0], `shoal: ${line}`, explain(r))
      assert.doesNotMatch(r.stderr, /positional argument|Unknown option/, explain(r))
    }

    it('an unknown flag names the command; a misspelled one gets the flag meant', async () => {
      assertUsageError(await runShoal(['get', UNKNOWN_CID, '--foo']), 'unknown option --foo for "get"')
      assertUsageError(await runShoal(['get', UNKNOWN_CID, '--timout', '3s']), 'unknown option --timout for "get": did you mean --timeout?')
    })

    it('a misspelled command gets the command meant', async () => {
      assertUsageError(await runShoal(['stauts']), 'unknown command "stauts": did you mean status?')
    })

    it('a flag of another command is refused', async () => {
      assertUsageError(await runShoal(['add', dir.path, '--timeout', '3s']), '--timeout is not an option of "add" (it is one of "get")')
    })
  })

  it('a config with its durations written as --timeout takes them ("30s", "2m") starts', async () => {
    const node = await ShoalProcess.create(join(dir.path, 'durations'), { timeouts: { discovery: '30s', request: '1500ms', rediscoverInterval: '2m' }, limits: { banDuration: '1h' } })
    const r = await node.shoal('status')
    assert.equal(r.code, 0, explain(r))
  })

  it('status with no running node says how to start one', async () => {
    const config = await writeConfig(dir.path)
    assertCleanFailure(await runShoal(['status', '--config', config]), /shoal start/)
    assertCleanFailure(await runShoal(['status', '--json', '--config', config]), /shoal start/)
  })

  it('a dataDir/api that names a non-loopback address gets no request and no token (exit 1, says why)', async function () {
    // a listener on this machine's own non-loopback address stands for someone else's server
    const lan = Object.values(networkInterfaces()).flat().find(i => i !== undefined && i.family === 'IPv4' && !i.internal)
    if (lan === undefined) this.skip()
    const seen: string[] = []
    const server = createServer((req, res) => { seen.push(req.headers.authorization ?? ''); res.end('{}') })
    await new Promise<void>(resolve => server.listen(0, lan?.address, resolve))
    try {
      const config = await writeConfig(dir.path)
      const dataDir = join(dir.path, 'data')
      await mkdir(dataDir, { recursive: true })
      await writeFile(join(dataDir, 'api'), `http://${lan?.address ?? ''}:${(server.address() as AddressInfo).port}\n`)
      await writeFile(join(dataDir, 'api.token'), 'the-api-token\n', { mode: 0o600 })
      for (const command of [['status'], ['stop'], ['add', dir.path]]) {
        assertCleanFailure(await runShoal([...command, '--config', config]), /not http:\/\/<loopback IP>:<port>; refusing to send the API token/)
      }
      assert.deepEqual(seen, [], 'the CLI sent requests (and its token) to a non-loopback address')
    } finally {
      server.close()
    }
  })

  it('--help exits 0 and lists the commands', async () => {
    const r = await runShoal(['--help'])
    assert.equal(r.code, 0, explain(r))
    for (const command of ['start', 'add', 'get', 'status', 'stop', 'swarm-key']) {
      assert.match(r.stdout, new RegExp(`^\\s+${command}\\b`, 'm'), `--help does not list ${command}:\n${r.stdout}`)
    }
  })

  describe('swarm-key generate', () => {
    it('prints a new key in the /key/swarm/psk/1.0.0/ format', async () => {
      const [a, b] = await Promise.all([runShoal(['swarm-key', 'generate']), runShoal(['swarm-key', 'generate'])])
      for (const r of [a, b]) {
        assert.equal(r.code, 0, explain(r))
        assert.match(r.stdout, PSK_FORMAT)
      }
      assert.notEqual(a.stdout, b.stdout, 'two keys are the same')
    })

    it('--output FILE writes the key with mode 0600 and refuses to overwrite', async () => {
      const file = join(dir.path, 'swarm.key')
      const r = await runShoal(['swarm-key', 'generate', '--output', file])
      assert.equal(r.code, 0, explain(r))
      const key = await readText(file)
      assert.match(key, PSK_FORMAT)
      assert.doesNotMatch(r.stdout, /[0-9a-f]{64}/i, 'the key also went to stdout')
      assert.equal((await modeOf(file)).toString(8), '600')

      assertCleanFailure(await runShoal(['swarm-key', 'generate', '--output', file]), /exists|overwrit/i)
      assert.equal(await readText(file), key, 'the existing key was changed')
    })
  })
})
