import { chmod, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ApiError } from '../errors.js'
import { atomicWrite } from '../utils/atomic-write.js'

/** Where `shoal start` leaves its API address and token for the CLI (as Kubo does with $IPFS_PATH/api). */
export function apiFilePaths (dataDir: string): { api: string, token: string } {
  return { api: join(dataDir, 'api'), token: join(dataDir, 'api.token') }
}

export async function writeApiFiles (dataDir: string, url: string, token: string): Promise<void> {
  const paths = apiFilePaths(dataDir)
  await atomicWrite(paths.token, token, 0o600)
  await chmod(paths.token, 0o600)
  await atomicWrite(paths.api, `${url}\n`)
}

export interface ApiEndpoint {
  url: string
  token: string
  /** The file the url was read from, to name in messages. */
  source?: string
}

/** `startCommand` is what to tell the user to run when no node answers. */
export async function readApiFiles (dataDir: string, configLabel: string, startCommand = `shoal start --config ${configLabel}`): Promise<ApiEndpoint> {
  const paths = apiFilePaths(dataDir)
  try {
    const [url, token] = await Promise.all([readFile(paths.api, 'utf8'), readFile(paths.token, 'utf8')])
    return { url: url.trim(), token: token.trim(), source: paths.api }
  } catch {
    throw new ApiError(`no running node found for ${configLabel} (start one with: ${startCommand})`, 503)
  }
}
