import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '../errors.js'

/** The embedded default config: what the first `shoal start` without --config copies into the home. */
export const EMBEDDED_DEFAULT_CONFIG = fileURLToPath(new URL('../../../config/default.json', import.meta.url))

/**
 * The home of the node a command without --config means: SHOAL_HOME, else ~/.shoal (as
 * Kubo's IPFS_PATH and ~/.ipfs). It holds config.json and, through the default config's
 * dataDir "./data", the data folder.
 */
export function shoalHome (env: NodeJS.ProcessEnv = process.env): string {
  const home = env.SHOAL_HOME
  return home !== undefined && home !== '' ? resolve(home) : join(homedir(), '.shoal')
}

export function homeConfigPath (home: string): string {
  return join(home, 'config.json')
}

/**
 * Make the home (mode 0700: its data folder names everything the node shares) and its
 * config.json from the embedded default, unless it has one. Resolves with the path of the
 * config it wrote, or undefined when there was one already (which is never replaced).
 */
export async function makeHomeConfig (home: string): Promise<string | undefined> {
  const path = homeConfigPath(home)
  const fail = (what: string, err: unknown): ConfigError => new ConfigError(
    `cannot ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)}): set SHOAL_HOME to a folder of yours, or give --config FILE`)
  try {
    // mkdir returns the first folder it made: undefined when the home was there already (left as its owner set it)
    if (await mkdir(home, { recursive: true, mode: 0o700 }) !== undefined) await chmod(home, 0o700)
  } catch (err) {
    throw fail(`make the Shoal home ${home}`, err)
  }
  try {
    await writeFile(path, await readFile(EMBEDDED_DEFAULT_CONFIG, 'utf8'), { flag: 'wx', mode: 0o600 })
    return path
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined
    throw fail(`write ${path}`, err)
  }
}
