import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, resolve } from 'node:path'
import { ConfigError } from '../errors.js'
import { closestName } from '../utils/did-you-mean.js'
import { CONFIG_LIMITS } from './defaults.js'
import { configSchema } from './schema.js'
import type { ConfigInput, ShoalConfig } from './schema.js'
import type { z } from 'zod'

/**
 * Read, parse and validate a config file. Relative paths in it (dataDir, swarmKey) resolve
 * against the file's folder, so a config means the same thing from any working directory.
 */
export async function loadConfig (path: string): Promise<ShoalConfig> {
  const configPath = resolve(path)
  let text: string
  try {
    text = await readFile(configPath, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ConfigError(`${path}: ${code === 'ENOENT' ? 'no such config file' : `cannot read the config file (${code ?? String(err)})`}`)
  }
  return parseConfig(text, { baseDir: dirname(configPath), configPath, source: path })
}

/** A config file's text: JSON, then validated as `resolveConfig` does. Throws only ConfigError. */
export function parseConfig (text: string, options: ResolveConfigOptions = {}): ShoalConfig {
  const source = options.source ?? 'config'
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new ConfigError(`${source}: not valid JSON: ${(err as Error).message}`)
  }
  return resolveConfig(json as ConfigInput, options)
}

const MAX_CONFIG_DEPTH = CONFIG_LIMITS.maxDepth

export interface ResolveConfigOptions {
  /** Folder that relative paths resolve against. Default: the working directory. */
  baseDir?: string
  configPath?: string
  /** Names the config in error messages. */
  source?: string
}

/** Validate a config object (as read from JSON or given in code) and apply defaults. */
export function resolveConfig (input: ConfigInput | unknown, options: ResolveConfigOptions = {}): ShoalConfig {
  const source = options.source ?? 'config'
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(`${source}: the config must be a JSON object`)
  }
  const depth = nestingDepth(input, MAX_CONFIG_DEPTH)
  if (depth > MAX_CONFIG_DEPTH) throw new ConfigError(`${source}: nested more than ${MAX_CONFIG_DEPTH} levels deep`)
  const result = safeParse(input, source)
  if (!result.success) {
    throw new ConfigError(`${source}: ${result.error.issues.map(describeIssue).join('; ')}`)
  }
  const baseDir = options.baseDir ?? process.cwd()
  const absolute = (p: string): string => isAbsolute(p) ? p : resolve(baseDir, p)
  const config = result.data
  return deepFreeze({
    ...config,
    dataDir: absolute(config.dataDir),
    swarmKey: config.swarmKey === undefined ? undefined : absolute(config.swarmKey),
    configPath: options.configPath
  })
}

/** The schema's verdict; should the validator itself throw on some odd value, still a ConfigError. */
function safeParse (input: unknown, source: string): ReturnType<typeof configSchema.safeParse> {
  try {
    return configSchema.safeParse(input)
  } catch {
    throw new ConfigError(`${source}: a value of the wrong type could not be checked; compare the file with config/default.json`)
  }
}

/**
 * How deep objects and arrays nest in `value`, counted without recursion and given up on
 * past `limit`: freezing and validating a config recurse, and a hostile file must not
 * overflow the stack (found by fuzzing: 10 000 nested arrays in a protocol's options).
 */
function nestingDepth (value: unknown, limit: number): number {
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number]
    if (item === null || typeof item !== 'object') continue
    deepest = Math.max(deepest, depth)
    if (deepest > limit) return deepest
    for (const child of Object.values(item)) stack.push([child, depth + 1])
  }
  return deepest
}

function deepFreeze<T extends object> (value: T): T {
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object' && !Object.isFrozen(child)) deepFreeze(child)
  }
  return Object.freeze(value)
}

function describeIssue (issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.')
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(issue.path)
    const full = (k: string): string => path === '' ? k : `${path}.${k}`
    const described = issue.keys.map(k => {
      const meant = closestName(k, known)
      return meant === undefined ? `"${full(k)}"` : `"${full(k)}" (did you mean "${full(meant)}"?)`
    })
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${described.join(', ')}`
  }
  return `"${path === '' ? '(root)' : path}": ${issue.message}`
}

/** The parts of a zod schema's definition that lead to an object's keys. */
interface SchemaDef {
  type: string
  innerType?: { _zod: { def: SchemaDef } }
  element?: { _zod: { def: SchemaDef } }
  shape?: Record<string, { _zod: { def: SchemaDef } } | undefined>
}

/** The keys the schema allows in the object at `path` (none where it cannot tell). */
function knownKeysAt (path: PropertyKey[]): string[] {
  let def = configSchema._zod.def as unknown as SchemaDef
  const unwrap = (): void => {
    // defaults, prefaults and optionals wrap the object or array they default
    while (def.innerType !== undefined) def = def.innerType._zod.def
  }
  for (const step of path) {
    unwrap()
    const child = typeof step === 'number' ? def.element : def.shape?.[String(step)]
    if (child === undefined) return []
    def = child._zod.def
  }
  unwrap()
  return def.shape === undefined ? [] : Object.keys(def.shape)
}
