import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { DATA_DIR_LOCK } from '../config/defaults.js'
import { ConfigError, DataDirLockedError } from '../errors.js'
import { sleep } from '../utils/sleep.js'
import { processExists, processStartMs } from './process-liveness.js'
import type { ShoalConfig } from '../config/schema.js'
import type { Logger } from '@libp2p/interface'

/** The lock file in dataDir: one node per data folder (as Kubo's repo.lock). */
export const LOCK_FILE = 'node.lock'

/** What a lock file holds: enough to tell whether its node is still there. */
export interface LockOwner {
  pid: number
  hostname: string
  /** When the lock was taken, ms since the epoch. */
  lockedAt: number
  /** This lock's own id: a node removes only the lock it took. */
  token: string
}

export interface DataDirLock {
  readonly path: string
  /** Remove the lock file if it is still this lock's. */
  release(): Promise<void>
}

export interface LockDataDirOptions {
  /** Told when the lock of a node that is gone was taken over (one line, for the user). */
  onStaleLock?: (message: string) => void
  /** Appended to the "already running" message: how to stop that node. */
  stopHint?: string
  signal?: AbortSignal
}

export function lockFilePath (dataDir: string): string {
  return join(dataDir, LOCK_FILE)
}

/**
 * Take the data folder's lock: a file created exclusively (O_EXCL) holding this process's
 * pid. A lock whose process is gone (a node killed with kill -9) is taken over; a live one
 * is refused with DataDirLockedError. dataDir must exist.
 */
export async function lockDataDir (dataDir: string, options: LockDataDirOptions = {}): Promise<DataDirLock> {
  const path = lockFilePath(dataDir)
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), lockedAt: Date.now(), token: randomBytes(16).toString('hex') }
  for (let attempt = 0; attempt < DATA_DIR_LOCK.maxAttempts; attempt++) {
    options.signal?.throwIfAborted()
    if (await createExclusively(path, owner)) return { path, release: async () => { await releaseLock(path, owner.token) } }
    const held = await readLock(path)
    if (held === 'missing') continue
    if (held === 'unreadable') {
      // a lock being written right now reads empty for a moment; one that stays so is debris
      if (await ageMs(path) < DATA_DIR_LOCK.unreadableGraceMs) {
        await sleep(DATA_DIR_LOCK.retryDelayMs, options.signal)
        continue
      }
    } else {
      const gone = whyGone(held.owner)
      if (gone === undefined) throw lockedError(held.owner, dataDir, path, options.stopHint)
      if (await takeOver(path, held.text)) options.onStaleLock?.(`taking over the lock in ${dataDir} of a node that is gone (pid ${held.owner.pid}: ${gone})`)
      continue
    }
    if (await takeOver(path, undefined)) options.onStaleLock?.(`taking over an unreadable lock file ${path}`)
  }
  throw new DataDirLockedError(`could not take the lock ${path}: other nodes keep starting on this data folder; try again`)
}

/** A node's start: its data folder made if need be, then locked; a stale lock's takeover is logged and told. */
export async function lockNodeDataDir (config: Pick<ShoalConfig, 'dataDir' | 'configPath'>, log: Logger, onNotice?: (message: string) => void): Promise<DataDirLock> {
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
  return await lockDataDir(config.dataDir, {
    stopHint: config.configPath === undefined ? undefined : `stop it with "shoal stop --config ${config.configPath}"`,
    onStaleLock: (message) => { log(message); onNotice?.(message) }
  })
}

async function createExclusively (path: string, owner: LockOwner): Promise<boolean> {
  let handle
  try {
    handle = await open(path, 'wx', 0o600)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    throw new ConfigError(`cannot create the lock file ${path} (${code ?? (err as Error).message}): is the data folder writable?`, { cause: err })
  }
  try {
    await handle.writeFile(`${JSON.stringify(owner)}\n`)
  } catch (err) {
    // an empty lock would hold the folder for a while: none at all is better
    await handle.close().catch(() => {})
    await rm(path, { force: true })
    throw err
  }
  await handle.close()
  return true
}

type HeldLock = { owner: LockOwner, text: string } | 'missing' | 'unreadable'

async function readLock (path: string): Promise<HeldLock> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing'
    throw err
  }
  try {
    const owner = JSON.parse(text) as LockOwner
    if (Number.isSafeInteger(owner.pid) && owner.pid > 0 && typeof owner.hostname === 'string' && typeof owner.lockedAt === 'number') return { owner, text }
  } catch {}
  return 'unreadable'
}

/** Why the lock's node is gone, or undefined while it may be running. */
function whyGone (owner: LockOwner): string | undefined {
  // another machine's process cannot be checked from here (a data folder on a network share)
  if (owner.hostname !== hostname()) return undefined
  if (!processExists(owner.pid)) return 'no such process'
  const started = processStartMs(owner.pid)
  if (started !== undefined && started > owner.lockedAt + DATA_DIR_LOCK.pidReuseToleranceMs) return 'its pid is now another process\'s'
  return undefined
}

function lockedError (owner: LockOwner, dataDir: string, path: string, stopHint: string | undefined): DataDirLockedError {
  if (owner.hostname !== hostname()) {
    return new DataDirLockedError(`a node is already running (pid ${owner.pid}) on host ${owner.hostname} with data folder ${dataDir}: stop it there, or remove ${path} if it is gone`, owner.pid)
  }
  return new DataDirLockedError(`a node is already running (pid ${owner.pid}) on data folder ${dataDir}: ${stopHint ?? 'stop it'} first`, owner.pid)
}

/**
 * Remove a stale lock, if it is still the one judged stale (`seen`; undefined: unreadable).
 * Takers serialise through a second exclusive file, so two of them cannot both remove a lock
 * and one remove the other's fresh one. False when another taker is at it.
 */
async function takeOver (path: string, seen: string | undefined): Promise<boolean> {
  const mutex = `${path}.takeover`
  let handle
  try {
    handle = await open(mutex, 'wx', 0o600)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    // a taker killed between its two steps leaves the mutex behind
    if (await ageMs(mutex) > DATA_DIR_LOCK.takeoverStaleMs) await rm(mutex, { force: true })
    else await sleep(DATA_DIR_LOCK.retryDelayMs)
    return false
  }
  try {
    await handle.close()
    const now = await readLock(path)
    const same = seen === undefined ? now === 'unreadable' : now !== 'missing' && now !== 'unreadable' && now.text === seen
    if (same) await rm(path, { force: true })
    return same
  } finally {
    await rm(mutex, { force: true })
  }
}

async function releaseLock (path: string, token: string): Promise<void> {
  const held = await readLock(path)
  if (held !== 'missing' && held !== 'unreadable' && held.owner.token === token) await rm(path, { force: true })
}

/** ms since the file was last modified; 0 when it is missing (it was just removed: retry). */
async function ageMs (path: string): Promise<number> {
  const stats = await stat(path).catch(() => undefined)
  return stats === undefined ? 0 : Date.now() - stats.mtimeMs
}
