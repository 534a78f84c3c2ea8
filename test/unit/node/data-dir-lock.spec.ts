/**
 * One node per data folder (issue 13, item 2): the lock file is taken exclusively, refused
 * while its process lives, taken over once it is gone, and released by its own holder only.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { chmod, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { DATA_DIR_LOCK } from '../../../src/config/defaults.js'
import { lockDataDir, lockFilePath } from '../../../src/node/data-dir-lock.js'
import { processExists, processStartMs } from '../../../src/node/process-liveness.js'
import { tempDir } from '../../helpers/temp.js'
import { isNamedError } from '../fixtures.js'
import type { LockOwner } from '../../../src/node/data-dir-lock.js'

/** The pid of a process that has exited (and been reaped): no process has it now. */
function deadPid (): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  assert.equal(child.status, 0)
  return child.pid
}

async function writeLock (dir: string, owner: Partial<LockOwner>): Promise<void> {
  await writeFile(lockFilePath(dir), JSON.stringify({ pid: deadPid(), hostname: hostname(), lockedAt: Date.now(), token: 'old', ...owner }))
}

describe('node/data-dir-lock', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir('shoal-lock-') })
  afterEach(async () => { await dir.cleanup() })

  it('a fresh folder: the lock file holds this pid, mode 0600, and goes on release', async () => {
    const lock = await lockDataDir(dir.path)
    const owner = JSON.parse(await readFile(lock.path, 'utf8')) as LockOwner
    assert.equal(owner.pid, process.pid)
    assert.equal(owner.hostname, hostname())
    assert.ok(Math.abs(owner.lockedAt - Date.now()) < 60_000)
    if (process.platform !== 'win32') assert.equal((await stat(lock.path)).mode & 0o777, 0o600)
    await lock.release()
    assert.deepEqual(await readdir(dir.path), [])
    // and the folder can be locked again
    await (await lockDataDir(dir.path)).release()
  })

  it('a held lock is refused with "already running (pid N)", and the holder keeps it', async () => {
    const lock = await lockDataDir(dir.path)
    const before = await readFile(lock.path, 'utf8')
    await assert.rejects(lockDataDir(dir.path, { stopHint: 'stop it with "shoal stop --config c.json"' }),
      isNamedError('DataDirLockedError', new RegExp(`already running \\(pid ${process.pid}\\) on data folder .*: stop it with "shoal stop --config c.json" first`)))
    assert.equal(await readFile(lock.path, 'utf8'), before)
    await lock.release()
  })

  it('a lock whose process is gone is taken over, with a notice naming the pid', async () => {
    const pid = deadPid()
    await writeLock(dir.path, { pid })
    const notices: string[] = []
    const lock = await lockDataDir(dir.path, { onStaleLock: (m) => notices.push(m) })
    assert.equal((JSON.parse(await readFile(lock.path, 'utf8')) as LockOwner).pid, process.pid)
    assert.equal(notices.length, 1)
    assert.match(notices[0], new RegExp(`node that is gone \\(pid ${pid}`))
    await lock.release()
  })

  it('a lock with a live pid of a process started after the lock was taken is a reused pid: stale', async () => {
    // this process has the pid, but it started after the lock (dated a day ago) was taken
    await writeLock(dir.path, { pid: process.pid, lockedAt: Date.now() - 24 * 3600_000 })
    const notices: string[] = []
    const lock = await lockDataDir(dir.path, { onStaleLock: (m) => notices.push(m) })
    assert.match(notices.join('\n'), /pid is now another process/)
    await lock.release()
  })

  it('a lock of another host is refused (it cannot be checked from here), saying which file to remove', async () => {
    await writeLock(dir.path, { pid: process.pid, hostname: 'elsewhere.example' })
    await assert.rejects(lockDataDir(dir.path), isNamedError('DataDirLockedError', /already running \(pid \d+\) on host elsewhere\.example.*remove .*node\.lock/))
  })

  it('an unreadable lock file: waited for while young (being written), taken over once old', async () => {
    await writeFile(lockFilePath(dir.path), '')
    const old = new Date(Date.now() - 2 * DATA_DIR_LOCK.unreadableGraceMs)
    await utimes(lockFilePath(dir.path), old, old)
    const notices: string[] = []
    const lock = await lockDataDir(dir.path, { onStaleLock: (m) => notices.push(m) })
    assert.match(notices.join('\n'), /unreadable lock file/)
    await lock.release()
  })

  it('release removes only its own lock: a lock taken over from it is left alone', async () => {
    const lock = await lockDataDir(dir.path)
    await writeLock(dir.path, { pid: process.pid, token: 'someone else' })
    await lock.release()
    assert.match(await readFile(lockFilePath(dir.path), 'utf8'), /someone else/)
  })

  it('concurrent takers of a stale lock: exactly one wins, the others are refused', async () => {
    for (let round = 0; round < 5; round++) {
      await writeLock(dir.path, {})
      const results = await Promise.allSettled(Array.from({ length: 8 }, async () => await lockDataDir(dir.path)))
      const won = results.filter(r => r.status === 'fulfilled')
      assert.equal(won.length, 1, `round ${round}: ${won.length} takers won`)
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as Error).name, 'DataDirLockedError')
      await (won[0] as PromiseFulfilledResult<{ release: () => Promise<void> }>).value.release()
      assert.deepEqual(await readdir(dir.path), [], 'the lock and any takeover file are gone')
    }
  })

  it('concurrent takers in separate processes: exactly one wins a stale lock', async function () {
    this.timeout(60_000)
    await writeLock(dir.path, {})
    const module = new URL('../../../src/node/data-dir-lock.js', import.meta.url).href
    // the winner holds the lock until every taker has answered (its stdin closes), so the
    // others meet a live lock however late they start
    const script = `import { lockDataDir } from ${JSON.stringify(module)}
try { const lock = await lockDataDir(process.argv[1]); console.log('won'); process.stdin.resume(); await new Promise(r => process.stdin.once('end', r)); await lock.release() } catch (err) { console.log(err.name) }`
    const children = Array.from({ length: 4 }, () => spawn(process.execPath, ['--input-type=module', '-e', script, dir.path], { stdio: ['pipe', 'pipe', 'inherit'] }))
    const exited = children.map(async child => await new Promise(resolve => child.once('exit', resolve)))
    const answers = await Promise.all(children.map(async child => await new Promise<string>(resolve => {
      child.stdout.setEncoding('utf8').once('data', (line: string) => { resolve(line.trim()) })
    })))
    for (const child of children) child.stdin.end()
    await Promise.all(exited)
    assert.deepEqual(answers.sort(), ['DataDirLockedError', 'DataDirLockedError', 'DataDirLockedError', 'won'])
    assert.deepEqual(await readdir(dir.path), [])
  })

  it('concurrent takers of a free folder: exactly one wins', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, async () => await lockDataDir(dir.path)))
    assert.equal(results.filter(r => r.status === 'fulfilled').length, 1)
  })

  it('a folder it cannot write in: a ConfigError naming the lock file', async function () {
    if (process.platform === 'win32' || process.getuid?.() === 0) this.skip() // root writes anywhere
    await chmod(dir.path, 0o500)
    try {
      await assert.rejects(lockDataDir(dir.path), isNamedError('ConfigError', /cannot create the lock file .*node\.lock \(EACCES\)/))
    } finally {
      await chmod(dir.path, 0o700)
    }
  })

  it('process liveness: this process exists and started in the past; a reaped child does not exist', () => {
    assert.equal(processExists(process.pid), true)
    assert.equal(processExists(deadPid()), false)
    const started = processStartMs(process.pid)
    assert.ok(started !== undefined && started <= Date.now() && started > Date.now() - 24 * 3600_000)
  })
})
