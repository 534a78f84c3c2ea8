import { existsSync } from 'node:fs'
import { isAbsolute, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { ProtocolLoadError } from '../errors.js'
import { resolvePackage } from './package-resolve.js'
import type { ShoalProtocolFactory } from './protocol-api.js'

/** Relative module paths start with one of these; anything else not absolute is a package name. */
const RELATIVE = /^\.\.?(\/|\\|$)/

/**
 * Find and import a protocol module, and return its factory: the default export, else a
 * named export `protocol`. Paths resolve against `baseDir` (the config file's folder); package
 * names and subpaths ("pkg", "pkg/sub", "shoal/examples/who-has") resolve exactly as an
 * `import` in a file in that folder would.
 */
export async function importProtocolFactory (specifier: string, baseDir: string): Promise<ShoalProtocolFactory> {
  const url = resolveModule(specifier, baseDir)
  let mod: Record<string, unknown>
  try {
    mod = await import(url) as Record<string, unknown>
  } catch (err) {
    throw fail(specifier, `cannot be loaded: ${(err as Error).message}`, err)
  }
  const factory = typeof mod.default === 'function' ? mod.default : mod.protocol
  if (typeof factory !== 'function') {
    const where = !url.startsWith('file:') ? '' : ` (${fileURLToPath(url)})`
    throw fail(specifier, `does not export a factory${where}: its default export (or a named export "protocol") must be a function (options) => (components) => service`)
  }
  return factory as ShoalProtocolFactory
}

/** A ProtocolLoadError naming the module; `cause` is kept for --debug. */
export function fail (specifier: string, reason: string, cause?: unknown): ProtocolLoadError {
  return new ProtocolLoadError(`protocol module "${specifier}" ${reason}`, cause === undefined ? undefined : { cause })
}

function resolveModule (specifier: string, baseDir: string): string {
  if (specifier.startsWith('file:')) return resolvePath(fileURLToPath(specifier), specifier)
  if (RELATIVE.test(specifier) || isAbsolute(specifier)) return resolvePath(resolve(baseDir, specifier), specifier)
  const resolved = resolvePackage(specifier, baseDir)
  if ('problem' in resolved) throw fail(specifier, resolved.problem, resolved.cause)
  return resolved.url
}

function resolvePath (path: string, specifier: string): string {
  if (!existsSync(path)) throw fail(specifier, `cannot be found: no file ${path}`)
  return pathToFileURL(path).href
}
