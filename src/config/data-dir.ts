import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
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
