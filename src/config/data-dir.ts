import { chmod, lstat, mkdir, readFile, readdir, realpath } from 'node:fs/promises'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { ConfigError } from '../errors.js'
import { DEFAULTS } from './defaults.js'

/**
 * Just the data folder of a config file, without validating the rest: all a client command
 * needs to find its running node (which validated the whole file when it started). Keeps the
 * CLI's start-up small, since every `shoal get` pays it.
 */
export async function readDataDir (configPath: string): Promise<string> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(configPath, 'utf8'))
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ConfigError(`${configPath}: ${code === 'ENOENT' ? 'no such config file' : code !== undefined ? `cannot read the config file (${code})` : `not valid JSON: ${(err as Error).message}`}`)
  }
  const dataDir = (json as { dataDir?: unknown } | null)?.dataDir ?? DEFAULTS.dataDir
  if (typeof dataDir !== 'string' || dataDir === '') throw new ConfigError(`${configPath}: "dataDir": expected a non-empty string`)
  return isAbsolute(dataDir) ? dataDir : resolve(dirname(configPath), dataDir)
}

/** What Shoal keeps directly in dataDir: the only entries a start tightens (a dataDir may hold other things). */
const DATA_FILES = ['identity.key', 'swarms.json', 'bans.json', 'api', 'api.token']
const DATA_FOLDERS = ['manifests', 'swarms']

/**
 * Make dataDir (mode 0700) and tighten what an older Shoal left there to 0700 folders and
 * 0600 files: the swarm list holds the path of everything shared, the manifests every file
 * name, and none of it is other local users' business. Only entries Shoal writes are touched,
 * and only ones this user owns; a shared folder (sticky, as /tmp) or another user's is left as
 * it is, with a warning through `warn`.
 */
export async function preparePrivateDataDir (dataDir: string, warn: (message: string) => void): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  if (process.platform === 'win32') return // no POSIX modes: the folder's ACL decides
  // the folder the config names, wherever a link there leads; inside it no link is followed
  const dir = await realpath(dataDir)
  if (((await lstat(dir)).mode & 0o1000) !== 0) {
    warn(`dataDir ${dataDir} is a shared folder (sticky bit set); give Shoal a folder of its own, or other users can see what it shares`)
    return
  }
  if (!await tighten(dir, 0o700)) warn(`dataDir ${dataDir} is readable by other users and not owned by this user, so it was left as it is`)
  for (const name of DATA_FOLDERS) {
    const folder = join(dir, name)
    if (!await tighten(folder, 0o700)) continue
    for (const entry of await readdir(folder).catch(() => [])) await tighten(join(folder, entry), 0o600)
  }
  for (const name of DATA_FILES) await tighten(join(dir, name), 0o600)
}

/**
 * Drop the permission bits of `path` that `mode` does not allow. True when it is missing or
 * now as tight; false when it is another user's. Never follows a symlink.
 */
async function tighten (path: string, mode: number): Promise<boolean> {
  const stats = await lstat(path).catch(() => undefined)
  if (stats === undefined || stats.isSymbolicLink()) return true
  const loose = stats.mode & 0o777 & ~mode
  if (loose === 0) return true
  if (stats.uid !== process.getuid?.()) return false
  await chmod(path, stats.mode & mode & 0o777)
  return true
}
