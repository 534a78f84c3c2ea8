/**
 * Leaving and stopping a download with real processes: `shoal cancel` (keeping the partial
 * output, which a later get goes on from, or removing it), and Ctrl-C in `shoal get`, with and
 * without a terminal. A rate-limited seeder keeps each download slow enough to interrupt.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { NODE, SHOAL_JS, STACK_LINE, ShoalProcess, explain, killAll, sha256 } from './helpers/shoal-process.js'
import type { RunResult, SwarmStatus } from './helpers/shoal-process.js'
import type { ChildProcess } from 'node:child_process'

const MiB = 1024 * 1024
/** 6 MiB at 1 MiB/s: several seconds of download to interrupt. */
const SIZE = 6 * MiB
const UPLOAD_RATE = 1 * MiB

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** A `shoal get` left running, whose pid a test signals. */
function startGet (node: ShoalProcess, contentId: string, output: string): { child: ChildProcess, done: Promise<RunResult> } {
  const child = spawn(NODE, [SHOAL_JS, 'get', contentId, '--output', output, '--config', node.configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOAL_DEBUG: '' } })
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const done = new Promise<RunResult>(resolve => { child.once('close', (code, signal) => { resolve({ code, signal, stdout, stderr }) }) })
  return { child, done }
}

/** Python's pty module gives `shoal get` a real terminal, where Ctrl-C is the byte 0x03 typed into it. */
const PTY_GET = `
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b''
def read_for(seconds):
    global out
    end = time.time() + seconds
    while time.time() < end:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                out += os.read(fd, 65536)
            except OSError:
                return
# Ctrl-C once the test says so (by making a file), as a user would mid-download
while not os.path.exists(os.environ['CTRL_C_WHEN']):
    read_for(0.05)
os.write(fd, b'\\x03')
time.sleep(0.05)
os.write(fd, b'\\x03')
read_for(10)
code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
sys.stdout.write(out.decode('utf8', 'replace'))
sys.exit(code)
`

async function swarmOf (node: ShoalProcess, contentId: string): Promise<SwarmStatus | undefined> {
  return (await node.status()).swarms.find(s => s.contentId === contentId)
}

/** Wait until the node has some pieces of `contentId`, and not all. */
async function waitMidDownload (node: ShoalProcess, contentId: string): Promise<SwarmStatus> {
  for (let i = 0; i < 200; i++) {
    const swarm = await swarmOf(node, contentId)
    if (swarm !== undefined && swarm.piecesHave >= 2) {
      assert.ok(swarm.piecesHave < swarm.pieceCount, `the download completed before it could be interrupted: ${JSON.stringify(swarm)}`)
      return swarm
    }
    await sleep(100)
  }
  throw new Error(`no piece of ${contentId} came in`)
}

async function waitComplete (node: ShoalProcess, contentId: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if ((await swarmOf(node, contentId))?.state === 'seeding') return
    await sleep(100)
  }
  throw new Error(`${contentId} did not complete: ${JSON.stringify(await swarmOf(node, contentId))}`)
}

describe('e2e: shoal cancel and Ctrl-C in get', function () {
  this.timeout(180_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let seeder: ShoalProcess
  let leecher: ShoalProcess

  beforeEach(async () => {
    dir = await tempDir('shoal-e2e-cancel-')
    seeder = await ShoalProcess.create(join(dir.path, 'seeder'), { limits: { uploadRate: UPLOAD_RATE } })
    leecher = await ShoalProcess.create(join(dir.path, 'leecher'), { bootstrap: [(await seeder.status()).addresses[0]] })
  })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  async function addFile (name: string): Promise<{ source: string, contentId: string }> {
    const source = join(dir.path, 'src', name)
    await mkdir(join(dir.path, 'src'), { recursive: true })
    await randomFile(source, SIZE)
    return { source, contentId: await seeder.add(source) }
  }

  it('cancel keeps the .part, a later get verifies it and goes on; cancel --remove deletes it; an added content only stops seeding', async () => {
    const { source, contentId } = await addFile('big.bin')
    const output = join(dir.path, 'out', 'big.bin')
    const get = startGet(leecher, contentId, output)
    const before = await waitMidDownload(leecher, contentId)
    assert.ok(existsSync(`${output}.part`) && !existsSync(output), 'an incomplete file carries its .part name')

    const cancelled = await leecher.shoal('cancel', contentId)
    assert.equal(cancelled.code, 0, explain(cancelled))
    assert.equal(cancelled.stdout.trim(), `cancelled ${contentId} (partial output kept at ${output})`)
    const got = await get.done
    assert.equal(got.code, 1, explain(got))
    assert.match(got.stderr, new RegExp(`shoal: the swarm of ${contentId} was cancelled \\(shoal cancel\\)`))
    assert.doesNotMatch(got.stderr, STACK_LINE)
    assert.equal(await swarmOf(leecher, contentId), undefined, 'the swarm is forgotten')
    assert.ok(existsSync(`${output}.part`), 'the partial output is kept')

    const unknown = await leecher.shoal('cancel', contentId)
    assert.equal(unknown.code, 1, explain(unknown))
    assert.equal(unknown.stderr.trim(), `shoal: no swarm for ${contentId}`)

    // records forgotten: the get verifies what the .part holds and fetches only the rest
    const again = await leecher.run(['get', contentId, '--output', output], { timeoutMs: 120_000 })
    assert.equal(again.code, 0, explain(again))
    assert.equal(await sha256(output), await sha256(source))
    assert.ok(!existsSync(`${output}.part`), 'the .part name is gone once complete')
    const after = await swarmOf(leecher, contentId)
    assert.ok(after !== undefined && after.downloaded <= SIZE - (before.piecesHave - 1) * (SIZE / after.pieceCount),
      `the resumed get downloaded ${after?.downloaded} bytes: the ${before.piecesHave} pieces on disk were fetched again`)

    // --remove: what the download made goes, the folder it sits in stays
    const removed = await leecher.shoal('cancel', contentId, '--remove')
    assert.equal(removed.code, 0, explain(removed))
    assert.equal(removed.stdout.trim(), `cancelled ${contentId} (removed ${output})`)
    assert.deepEqual(await readdir(join(dir.path, 'out')), [])

    // the seeder's own added file is never removed
    const stopped = await seeder.shoal('cancel', contentId, '--remove')
    assert.equal(stopped.code, 0, explain(stopped))
    assert.match(stopped.stdout, /stopped seeding; the added .* is never removed/)
    assert.ok(existsSync(source))
    assert.equal((await seeder.status()).swarms.length, 0)
  })

  it('cancel --remove during a folder download removes its .part files and its folders, not a file the user put there', async () => {
    const folder = join(dir.path, 'src', 'album')
    await mkdir(join(folder, 'disc1'), { recursive: true })
    await randomFile(join(folder, 'disc1', 'a.bin'), SIZE / 2)
    await randomFile(join(folder, 'b.bin'), SIZE / 2)
    const contentId = await seeder.add(folder)
    const output = join(dir.path, 'out', 'album')
    const get = startGet(leecher, contentId, output)
    await waitMidDownload(leecher, contentId)
    await writeFile(join(output, 'notes.txt'), 'mine')
    const removed = await leecher.shoal('cancel', contentId, '--remove')
    assert.equal(removed.code, 0, explain(removed))
    assert.equal(removed.stdout.trim(), `cancelled ${contentId} (removed ${output})`)
    assert.equal((await get.done).code, 1)
    assert.deepEqual(await readdir(output), ['notes.txt'], 'only the user\'s file is left')
  })

  it('Ctrl-C in get (no terminal, then a terminal) says how to re-attach or cancel, exits 130, and the node completes the download', async () => {
    const { source, contentId } = await addFile('first.bin')
    const output = join(dir.path, 'out', 'first.bin')
    const get = startGet(leecher, contentId, output)
    await waitMidDownload(leecher, contentId)
    // twice, quickly: the second must not leave a stack trace either
    get.child.kill('SIGINT')
    await sleep(20)
    get.child.kill('SIGINT')
    const got = await get.done
    assert.equal(got.code, 130, explain(got))
    const config = leecher.configPath
    assert.match(got.stderr, new RegExp(`detached: the node goes on downloading ${contentId} into ${output}\n`))
    assert.ok(got.stderr.includes(`re-attach: shoal get ${contentId} --output ${output} --config ${config}\n`), got.stderr)
    assert.ok(got.stderr.includes(`cancel:    shoal cancel ${contentId} --config ${config}\n`), got.stderr)
    assert.doesNotMatch(got.stderr, STACK_LINE)
    await waitComplete(leecher, contentId)
    assert.equal(await sha256(output), await sha256(source))

    const python = await new Promise<boolean>(resolve => { spawn('python3', ['-c', 'import pty']).once('error', () => { resolve(false) }).once('exit', (code) => { resolve(code === 0) }) })
    if (!python) {
      process.stdout.write('      (no python3: the terminal case is skipped)\n')
      return
    }
    const second = await addFile('second.bin')
    const secondOutput = join(dir.path, 'out', 'second.bin')
    const trigger = join(dir.path, 'ctrl-c-now')
    const tty = spawn('python3', ['-c', PTY_GET, NODE, SHOAL_JS, 'get', second.contentId, '--output', secondOutput, '--config', config], { env: { ...process.env, SHOAL_DEBUG: '', CTRL_C_WHEN: trigger }, stdio: ['ignore', 'pipe', 'pipe'] })
    let screen = ''
    tty.stdout.setEncoding('utf8').on('data', (d: string) => { screen += d })
    await waitMidDownload(leecher, second.contentId)
    await writeFile(trigger, '')
    const code = await new Promise<number | null>(resolve => tty.once('close', resolve))
    assert.equal(code, 130, screen)
    assert.ok(screen.includes(`re-attach: shoal get ${second.contentId} --output ${secondOutput} --config ${config}`), screen)
    assert.ok(screen.includes(`cancel:    shoal cancel ${second.contentId} --config ${config}`), screen)
    assert.doesNotMatch(screen, STACK_LINE)
    await waitComplete(leecher, second.contentId)
    assert.equal(await sha256(secondOutput), await sha256(second.source))
  })
})
