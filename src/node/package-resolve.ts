import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { resolve as resolveImport } from 'import-meta-resolve'

/** A package specifier resolved to a module URL, or why it could not be (for the loader's message). */
export type PackageResolution = { url: string } | { problem: string, cause?: unknown }

/**
 * Resolve a package name or package subpath ("pkg", "pkg/sub", "@scope/pkg/sub") exactly as
 * Node's `import` would from a file in `baseDir`: "exports" maps with the import/node/default
 * conditions, subpath patterns, "main", and a package naming itself (self-reference).
 */
export function resolvePackage (specifier: string, baseDir: string): PackageResolution {
  let url: string
  try {
    url = resolveImport(specifier, pathToFileURL(join(baseDir, 'shoal-config.js')).href)
  } catch (err) {
    return { problem: explain(specifier, baseDir, err), cause: err }
  }
  if (!url.startsWith('file:')) return { url }
  // like import.meta.resolve, a target that does not exist still resolves: say so here
  const path = fileURLToPath(url)
  if (!existsSync(path)) return { problem: `cannot be found: it resolves to ${path}, which does not exist` }
  if (!statSync(path).isFile()) return { problem: `cannot be loaded: it resolves to the folder ${path}; name a file in it` }
  return { url }
}

function explain (specifier: string, baseDir: string, err: unknown): string {
  const name = packageName(specifier)
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ERR_MODULE_NOT_FOUND':
      return `cannot be found: no file or installed package "${name}", looking from ${baseDir} (install it there with npm install ${name})`
    case 'ERR_PACKAGE_PATH_NOT_EXPORTED':
      return notExported(specifier, name, baseDir)
    default:
      return `cannot be resolved: ${(err as Error).message}`
  }
}

function notExported (specifier: string, name: string, baseDir: string): string {
  const pkgPath = findPackageJson(name, baseDir)
  const exported = pkgPath === undefined ? [] : exportedSubpaths(name, readJson(pkgPath)?.exports)
  const what = specifier === name ? 'has no main entry in the "exports" of package' : 'is not exported by package'
  const listed = exported.length === 0 ? 'it exports nothing to import' : `it exports ${exported.join(', ')}`
  return `${what} "${name}"${pkgPath === undefined ? '' : ` (${pkgPath})`}: ${listed}`
}

/** "pkg" of "pkg/sub/file.js"; "@scope/pkg" of "@scope/pkg/sub". */
export function packageName (specifier: string): string {
  const parts = specifier.split('/')
  return parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/')
}

/** The specifiers a package's "exports" allows, e.g. ["shoal", "shoal/testing", "shoal/examples/*"]. */
export function exportedSubpaths (name: string, exports: unknown): string[] {
  if (typeof exports === 'string' || Array.isArray(exports)) return [name]
  if (exports === null || typeof exports !== 'object') return []
  const entries = Object.entries(exports as Record<string, unknown>)
  // an object of conditions alone is the main entry
  if (!entries.some(([key]) => key.startsWith('.'))) return [name]
  return entries
    .filter(([key, target]) => key.startsWith('.') && target !== null)
    .map(([key]) => key === '.' ? name : `${name}/${key.replace(/^\.\//, '')}`)
}

/** The package.json Node would read for `name` from `baseDir`: the enclosing package if it is `name`, else node_modules upwards. */
function findPackageJson (name: string, baseDir: string): string | undefined {
  const own = nearestPackageJson(baseDir)
  if (own !== undefined && readJson(own)?.name === name) return own
  for (let dir = baseDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json')
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) return undefined
  }
}

function nearestPackageJson (from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'package.json')
    if (dirname(dir) === dir) return undefined
  }
}

function readJson (path: string): { name?: unknown, exports?: unknown } | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown, exports?: unknown }
  } catch {
    return undefined
  }
}
