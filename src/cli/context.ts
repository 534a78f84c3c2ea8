import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ApiClient } from '../api/client.js'
import { readApiFiles } from '../api/files.js'
import { readDataDir } from '../config/data-dir.js'
import type { ShoalConfig } from '../config/schema.js'

/** The embedded default config, used when the working directory has no config/default.json. */
const PACKAGED_DEFAULT = fileURLToPath(new URL('../../../config/default.json', import.meta.url))
export const DEFAULT_CONFIG = 'config/default.json'

/** The config file a command means: --config, else ./config/default.json, else the packaged one. */
export function configPathFor (flag: string | undefined): string {
  if (flag !== undefined) return resolve(flag)
  const local = resolve(DEFAULT_CONFIG)
  return existsSync(local) ? local : PACKAGED_DEFAULT
}

export interface CommandContext {
  configPath: string
  /** How to name the config in messages: as the user would type it. */
  configLabel: string
  /** `--config` was given: commands suggested to the user repeat it. */
  configGiven: boolean
  /** The whole config, validated (for `start`). */
  config(): Promise<ShoalConfig>
  /** The data folder only: where a running node leaves its API address and token. */
  dataDir(): Promise<string>
  client(): Promise<ApiClient>
  out(line: string): void
  err(line: string): void
}

export function makeContext (configFlag: string | undefined): CommandContext {
  const configPath = configPathFor(configFlag)
  const rel = relative(process.cwd(), configPath)
  const configLabel = rel.startsWith('..') || rel === '' ? configPath : rel
  let loaded: Promise<ShoalConfig> | undefined
  // loaded on demand: the validator is only needed by `start`
  const config = async (): Promise<ShoalConfig> => {
    loaded ??= import('../config/load.js').then(async m => await m.loadConfig(configPath))
    return await loaded
  }
  const dataDir = async (): Promise<string> => await readDataDir(configPath)
  return {
    configPath,
    configLabel,
    configGiven: configFlag !== undefined,
    config,
    dataDir,
    client: async () => new ApiClient(await readApiFiles(await dataDir(), configLabel), configLabel),
    out: (line) => { process.stdout.write(`${line}\n`) },
    err: (line) => { process.stderr.write(`${line}\n`) }
  }
}
