import { realpathSync } from 'node:fs'
import { relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '../errors.js'

/** The package's own folder (where package.json is): the built CLI is dist/src/cli/ in it. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * An installed package lives in a node_modules folder (a project's, npm's global one, npx's
 * cache); a checkout of the repository does not. npm replaces an installed package's folder
 * on every update or reinstall, so nothing may be written there.
 */
export function isInstalled (packageRoot: string): boolean {
  return resolve(packageRoot).split(sep).includes('node_modules')
}

/**
 * Refuse (ConfigError) a data folder inside the installed package, e.g. from `shoal start
 * --config node_modules/shoal/config/default.json`, whose dataDir "./data" resolves there: the
 * node's identity and records would go with the next update. In a checkout of the repository
 * (`--config config/seeder.json`, data in data/seeder) the folder is the user's own.
 */
export function refuseDataDirInPackage (dataDir: string, packageRoot = PACKAGE_ROOT): void {
  if (!isInstalled(packageRoot)) return
  const root = real(packageRoot)
  const inside = relative(root, real(dataDir))
  if (inside === '' || (!inside.startsWith('..') && !inside.startsWith(sep) && !/^[a-zA-Z]:/.test(inside))) {
    throw new ConfigError(`dataDir ${dataDir} is inside the installed shoal package (${root}), which npm replaces on every update: the node's identity and records would go with it. Set dataDir to a folder of yours, or start without --config to use the home ($SHOAL_HOME, default ~/.shoal)`)
  }
}

/** The path with symbolic links resolved as far as it exists (a data folder may not exist yet). */
function real (path: string): string {
  const full = resolve(path)
  try {
    return realpathSync(full)
  } catch {
    const parent = resolve(full, '..')
    return parent === full ? full : resolve(real(parent), full.slice(parent.length + 1))
  }
}
