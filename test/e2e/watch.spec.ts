/**
 * The terminal view with real processes: `shoal status --watch` without a terminal (a snapshot
 * per second) and in a terminal (python3's pty: drawn in place, Ctrl-C leaves the cursor shown,
 * exit 0), and `shoal peers CID` during a real, rate-limited download.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { NODE, SHOAL_JS, STACK_LINE, ShoalProcess, explain, killAll } from './helpers/shoal-process.js'
import type { RunResult } from './helpers/shoal-process.js'

const MiB = 1024 * 1024

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** python3's pty runs the command in a terminal of 100 columns, types Ctrl-C once STOP_WHEN exists, and prints the screen's bytes. */
const PTY_RUN = `
import os, pty, sys, time, select, fcntl, termios, struct
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 100, 0, 0))
def read_for(seconds):
    end = time.time() + seconds
    while time.time() < end:
        if select.select([fd], [], [], 0.05)[0]:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            # passed on as it comes: the test watches the frames arrive
            sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
while not os.path.exists(os.environ['STOP_WHEN']):
    read_for(0.05)
os.write(fd, b'\\x03')
read_for(5)
code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
sys.exit(code)
`

async function hasPython (): Promise<boolean> {
  return await new Promise<boolean>(resolve => { spawn('python3', ['-c', 'import pty']).once('error', () => { resolve(false) }).once('exit', (code) => { resolve(code === 0) }) })
}

describe('e2e: shoal status --watch and shoal peers', function () {
  this.timeout(180_000)
  let dir: { path: string, cleanup: () => Promise<void> }

  beforeEach(async () => { dir = await tempDir('shoal-e2e-watch-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  it('without a terminal, status --watch prints a snapshot a second until Ctrl-C, then exits 0; a node that stops ends it, exit 1; with --json it refuses', async () => {
    let node = await ShoalProcess.create(join(dir.path, 'node'))
    await mkdir(join(dir.path, 'src'))
    await randomFile(join(dir.path, 'src', 'a.bin'), MiB)
    const contentId = await node.add(join(dir.path, 'src', 'a.bin'))
    const child = spawn(NODE, [SHOAL_JS, 'status', '--watch', '--config', node.configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOAL_DEBUG: '' } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const done = new Promise<number | null>(resolve => child.once('close', resolve))
    for (let i = 0; i < 200 && (stdout.match(/^shoal /gm) ?? []).length < 3; i++) await sleep(100)
    child.kill('SIGINT')
    const code = await done
    assert.equal(code, 0, `${stdout}${stderr}`)
    assert.equal(stderr, '')
    const snapshots = stdout.trim().split('\n\n')
    assert.ok(snapshots.length >= 3, stdout)
    for (const snapshot of snapshots) {
      assert.match(snapshot, /^shoal 12D3KooW\w+ {2}\d\d:\d\d:\d\d {2}\d+ connections? {2}1 swarm {2}/)
      assert.match(snapshot, new RegExp(`a\\.bin {2}seeding {6}\\[#{20}\\] 100% of 1\\.00 MiB .* 0 peers {2}ETA - {2}${contentId}`))
    }
    assert.doesNotMatch(stdout, /\x1b/, 'no terminal: no escape codes')

    // a node that stops while watched ends the watch with the CLI's one line, exit 1
    const watching = spawn(NODE, [SHOAL_JS, 'status', '--watch', '--config', node.configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOAL_DEBUG: '' } })
    let watchErr = ''
    let watchOut = ''
    watching.stdout.setEncoding('utf8').on('data', (d: string) => { watchOut += d })
    watching.stderr.setEncoding('utf8').on('data', (d: string) => { watchErr += d })
    const watchDone = new Promise<number | null>(resolve => watching.once('close', resolve))
    for (let i = 0; i < 100 && !watchOut.includes('shoal '); i++) await sleep(100)
    assert.equal((await node.shoal('stop')).code, 0)
    assert.equal(await watchDone, 1, watchErr)
    assert.match(watchErr, /^shoal: the node for .* is not answering/m)
    assert.doesNotMatch(watchErr, STACK_LINE)
    node = await ShoalProcess.start(node.configPath)

    const json = await node.shoal('status', '--watch', '--json')
    assert.equal(json.code, 2, explain(json))
    assert.match(json.stderr, /--watch draws a view for people/)
  })

  it('in a terminal, status --watch redraws in place and Ctrl-C leaves the cursor shown, exit 0', async function () {
    if (!await hasPython()) {
      process.stdout.write('      (no python3: the terminal case is skipped)\n')
      this.skip()
    }
    const node = await ShoalProcess.create(join(dir.path, 'node'))
    const trigger = join(dir.path, 'stop-now')
    const tty = spawn('python3', ['-c', PTY_RUN, NODE, SHOAL_JS, 'status', '--watch', '--config', node.configPath], { env: { ...process.env, SHOAL_DEBUG: '', STOP_WHEN: trigger }, stdio: ['ignore', 'pipe', 'pipe'] })
    let screen = ''
    tty.stdout.setEncoding('utf8').on('data', (d: string) => { screen += d })
    const closed = new Promise<number | null>(resolve => tty.once('close', resolve))
    // two frames drawn, however busy the machine (a fixed 3.5 s saw only one beside a busy core)
    const framesSoFar = (): number => screen.split('\x1b[H').length - 1
    for (let i = 0; i < 300 && framesSoFar() < 2; i++) await sleep(100)
    await writeFile(trigger, '')
    const code = await closed
    assert.equal(code, 0, screen)
    assert.ok(screen.startsWith('\x1b[?25l'), 'the cursor is hidden while it draws')
    const frames = screen.split('\x1b[H').length - 1
    assert.ok(frames >= 2, `redrawn in place (${frames} frames): ${JSON.stringify(screen)}`)
    assert.match(screen, /\x1b\[\?25h\r?\n$/, 'the cursor is shown again at the end')
    assert.match(screen, /no swarms/)
    // the terminal's own echo of Ctrl-C ("^C") lands wherever the cursor is, even inside a frame drawn as the signal came
    const drawn = screen.split(/\r?\n/).map(line => line.replace(/\x1b\[[?\d;]*[A-Za-z]/g, '').replace('^C', ''))
    for (const line of drawn) assert.ok(line.length <= 100, line)
    assert.doesNotMatch(screen, STACK_LINE)
  })

  it('peers CID lists the swarm\'s peers during a download, --json their details; an unknown CID says "no swarm for CID"', async () => {
    const seeder = await ShoalProcess.create(join(dir.path, 'seeder'), { limits: { uploadRate: 256 * 1024 } })
    const leecher = await ShoalProcess.create(join(dir.path, 'leecher'), { bootstrap: [(await seeder.status()).addresses[0]] })
    await mkdir(join(dir.path, 'src'))
    await randomFile(join(dir.path, 'src', 'slow.bin'), 8 * MiB)
    const contentId = await seeder.add(join(dir.path, 'src', 'slow.bin'))
    const get = leecher.run(['get', contentId, '--output', join(dir.path, 'out.bin')], { timeoutMs: 120_000 })
    const leecherId = (await leecher.status()).peerId
    let listed: RunResult | undefined
    for (let i = 0; i < 300; i++) {
      listed = await seeder.shoal('peers', contentId)
      if (listed.code === 0 && listed.stdout.includes(leecherId)) break
      await sleep(100)
    }
    assert.ok(listed !== undefined && listed.code === 0, listed === undefined ? '' : explain(listed))
    const lines = listed.stdout.trim().split('\n')
    assert.equal(lines.length, 1, listed.stdout)
    assert.match(lines[0], new RegExp(`^${leecherId} {2}has \\d+/\\d+, we (choke|serve) them, they (choke|serve) us.* up .* down .* requests \\d+ out / \\d+ queued$`))

    const json = await seeder.shoal('peers', contentId, '--json')
    assert.equal(json.code, 0, explain(json))
    const details = JSON.parse(json.stdout) as Array<{ peerId: string, seed: boolean }>
    assert.deepEqual(details.map(p => p.peerId), [leecherId])
    assert.equal(details[0].seed, false)

    const fromLeecher = await leecher.shoal('peers', contentId)
    assert.match(fromLeecher.stdout, new RegExp(`^${(await seeder.status()).peerId} {2}seed, `))

    // the rest of the download is not needed: cancelling it ends the get
    assert.equal((await leecher.shoal('cancel', contentId)).code, 0)
    assert.equal((await get).code, 1)

    const other = 'bafkreihk6pp6n6jphwsdmwwr2lbsh3ejqhg47t7z4tb4hpdhqwdbjpxqne'
    const unknown = await seeder.shoal('peers', other)
    assert.equal(unknown.code, 1, explain(unknown))
    assert.equal(unknown.stderr.trim(), `shoal: no swarm for ${other}`)
    const bad = await seeder.shoal('peers', 'not-a-cid')
    assert.equal(bad.code, 1, explain(bad))
    assert.doesNotMatch(bad.stderr, STACK_LINE)
  })
})
