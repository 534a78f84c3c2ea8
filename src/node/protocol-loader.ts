import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire, findPackageJSON } from 'node:module'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ProtocolLoadError } from '../errors.js'
import type { ShoalProtocolFactory } from './protocol-api.js'

/** Relative module paths start with one of these; anything else not absolute is a package name. */
const RELATIVE = /^\.\.?(\/|\\|$)/

/**
 * Find and import a protocol module, and return its factory: the default export, else a
 * named export `protocol`. Paths resolve against `baseDir` (the config file's folder), and
 * package names are looked up from there, as Node would from a file in that folder.
 */
export async function importProtocolFactory (specifier: string, baseDir: string): Promise<ShoalProtocolFactory> {
  const url = await resolveModule(specifier, baseDir)
  let mod: Record<string, unknown>
  try {
    mod = await import(url) as Record<string, unknown>
  } catch (err) {
    throw fail(specifier, `cannot be loaded: ${(err as Error).message}`, err)
  }
  const factory = typeof mod.default === 'function' ? mod.default : mod.protocol
  if (typeof factory !== 'function') {
    throw fail(specifier, 'does not export a factory: its default export (or a named export "protocol") must be a function (options) => (components) => service')
  }
  return factory as ShoalProtocolFactory
}

/** A ProtocolLoadError naming the module; `cause` is kept for --debug. */
export function fail (specifier: string, reason: string, cause?: unknown): ProtocolLoadError {
  return new ProtocolLoadError(`protocol module "${specifier}" ${reason}`, cause === undefined ? undefined : { cause })
}

async function resolveModule (specifier: string, baseDir: string): Promise<string> {
  if (specifier.startsWith('file:')) return resolvePath(fileURLToPath(specifier), specifier)
  if (RELATIVE.test(specifier) || isAbsolute(specifier)) return resolvePath(resolve(baseDir, specifier), specifier)
  return await resolvePackage(specifier, baseDir)
}

function resolvePath (path: string, specifier: string): string {
  if (!existsSync(path)) throw fail(specifier, `cannot be found: no file ${path}`)
  return pathToFileURL(path).href
}

async function resolvePackage (name: string, baseDir: string): Promise<string> {
  const parent = join(baseDir, 'shoal-config.js')
  try {
    return pathToFileURL(createRequire(parent).resolve(name)).href
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    // an ESM-only package exports no "require" entry: read its "exports" or "main" ourselves
    if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return await resolveEsmEntry(name, parent)
    throw fail(name, `cannot be found: no file or installed package of that name, looking from ${baseDir}`, err)
  }
}

async function resolveEsmEntry (name: string, parent: string): Promise<string> {
  const pkgPath = findPackageJSON(name, pathToFileURL(parent))
  if (pkgPath === undefined) throw fail(name, `cannot be found: no installed package of that name, looking from ${dirname(parent)}`)
  const pkg = JSON.parse(await readFile(pkgPath, 'utf8')) as { exports?: unknown, main?: string }
  const entry = esmEntry(pkg.exports) ?? pkg.main ?? 'index.js'
  return resolvePath(resolve(dirname(pkgPath), entry), name)
}

/** The "." entry of a package's "exports" for `import`: a string, or under "import"/"default". */
function esmEntry (exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports
  if (exports === null || typeof exports !== 'object') return undefined
  const record = exports as Record<string, unknown>
  const dot = '.' in record ? record['.'] : record
  if (typeof dot === 'string') return dot
  if (dot === null || typeof dot !== 'object') return undefined
  const conditions = dot as Record<string, unknown>
  return esmEntry(conditions.import) ?? esmEntry(conditions.node) ?? esmEntry(conditions.default)
}
