import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { ApiClient } from '../api/client.js'
import { readApiFiles } from '../api/files.js'
import { readDataDir } from '../config/data-dir.js'
import { ApiError } from '../errors.js'
import { homeConfigPath, makeHomeConfig, shoalHome } from './home.js'
import type { ShoalConfig } from '../config/schema.js'

/** The config file a command means: --config, else the home's config.json ($SHOAL_HOME, default ~/.shoal). */
export function configPathFor (flag: string | undefined): string {
  return flag !== undefined ? resolve(flag) : homeConfigPath(shoalHome())
}

export interface CommandContext {
  configPath: string
  /** How to name the config in messages: as the user would type it. */
  configLabel: string
  /** The home folder when no --config was given (the home node), else undefined. */
  home?: string
  /** `--config` was given: commands suggested to the user repeat it. */
  configGiven: boolean
  /** The whole config, validated (for `start`); the home's is made from the embedded default at its first start. */
  config(): Promise<ShoalConfig>
  /** The data folder only: where a running node leaves its API address and token. */
  dataDir(): Promise<string>
  client(): Promise<ApiClient>
  out(line: string): void
  err(line: string): void
}

export function makeContext (configFlag: string | undefined): CommandContext {
  const configPath = configPathFor(configFlag)
  const home = configFlag === undefined ? shoalHome() : undefined
  const rel = relative(process.cwd(), configPath)
  const configLabel = rel.startsWith('..') || rel === '' ? configPath : rel
  const startCommand = home !== undefined ? 'shoal start' : `shoal start --config ${configLabel}`
  const err = (line: string): void => { process.stderr.write(`${line}\n`) }
  let loaded: Promise<ShoalConfig> | undefined
  // loaded on demand: the validator is only needed by `start`
  const config = async (): Promise<ShoalConfig> => {
    loaded ??= (async () => {
      if (home !== undefined) {
        const made = await makeHomeConfig(home)
        if (made !== undefined) err(`shoal: made ${made} from the default config (edit it to change the node's ports, peers and limits)`)
      }
      return await (await import('../config/load.js')).loadConfig(configPath)
    })()
    return await loaded
  }
  const dataDir = async (): Promise<string> => {
    if (home !== undefined && !existsSync(configPath)) {
      throw new ApiError(`no node is running: ${home} has no config.json yet (start one with: shoal start)`, 503)
    }
    return await readDataDir(configPath)
  }
  return {
    configPath,
    configLabel,
    home,
    configGiven: configFlag !== undefined,
    config,
    dataDir,
    client: async () => new ApiClient(await readApiFiles(await dataDir(), configLabel, startCommand), configLabel, startCommand),
    out: (line) => { process.stdout.write(`${line}\n`) },
    err
  }
}
