import { spawn } from 'node:child_process'
import { basename } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The project root, seen from dist/test/helpers/. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** What Shoal writes into a data folder (dataDir): none of it may ever be packed. */
const DATA_FILE_NAMES = new Set(['identity.key', 'api', 'api.token', 'swarms.json', 'bans.json', 'outputs.json'])
/** Folders that hold keys or node data, wherever they are. */
const DATA_FOLDER_NAMES = new Set(['data', 'manifests', '.shoal'])
/** Names of secrets of any kind. */
const SECRET_NAME = /(\.(key|pem|p12|pfx|have)$)|(^|[._-])(token|secret)($|\.)|^\.env(\.|$)|^\.npmrc$|^id_(rsa|ed25519|ecdsa)$/i

/**
 * Of a package's file paths (relative to its root), those that are a key, a token, a data
 * file, or anything under a data folder, each with the reason.
 */
export function secretPaths (paths: string[]): string[] {
  const found: string[] = []
  for (const path of paths) {
    const parts = path.split(/[\\/]/)
    const name = basename(path)
    const folder = parts.slice(0, -1).find(part => DATA_FOLDER_NAMES.has(part))
    if (folder !== undefined) found.push(`${path} (under a "${folder}" folder)`)
    else if (DATA_FILE_NAMES.has(name)) found.push(`${path} (a data file)`)
    else if (SECRET_NAME.test(name)) found.push(`${path} (a key or token)`)
  }
  return found
}

export interface CommandResult { code: number | null, stdout: string, stderr: string }

/** Run a command to its exit, capturing its output. */
export async function runCommand (command: string, args: string[], opts: { cwd?: string, env?: NodeJS.ProcessEnv, timeoutMs?: number } = {}): Promise<CommandResult> {
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, opts.timeoutMs ?? 120_000)
  const code = await new Promise<number | null>(resolve => child.once('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/** What `npm pack` reports in --json: one entry per package. */
interface PackReport { filename: string, files: Array<{ path: string }> }

/**
 * `npm pack` of the project, without its scripts (the build is the caller's): the file paths
 * it packs, and, unless `dryRun`, the tarball it wrote in `destination`.
 */
export async function npmPack (opts: { dryRun: true } | { dryRun: false, destination: string }): Promise<{ paths: string[], tarball?: string }> {
  const args = ['pack', '--json', '--ignore-scripts', ...(opts.dryRun ? ['--dry-run'] : ['--pack-destination', opts.destination])]
  const r = await runCommand('npm', args, { cwd: PROJECT_ROOT })
  if (r.code !== 0) throw new Error(`npm ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`)
  const report = (JSON.parse(r.stdout) as PackReport[])[0]
  return { paths: report.files.map(f => f.path), tarball: opts.dryRun ? undefined : `${opts.destination}/${report.filename}` }
}
