/**
 * What the running Node.js offers, from its version strings alone: whether it is new enough
 * for Shoal, and which of the CLI's V8 flags its V8 knows.
 *
 * The bin (bin.ts) imports this module before anything else, on any Node a user may have: it
 * imports nothing and uses no syntax or API newer than Node 12, so an old Node gets a plain
 * message rather than a SyntaxError or a link error from a dependency.
 */

/** The minimum of package.json's `engines.node` (a ">=X.Y.Z" range: the one place it is stated). */
export function minimumNode (packageJson: string): string | undefined {
  let range: unknown
  try {
    const engines = (JSON.parse(packageJson) as { engines?: { node?: unknown } }).engines
    range = engines === undefined ? undefined : engines.node
  } catch {
    return undefined
  }
  const match = typeof range === 'string' ? /^>=\s*v?(\d+\.\d+\.\d+)$/.exec(range.trim()) : null
  return match === null ? undefined : match[1]
}

/** The numeric parts of "22.12.0", "v20.20.2" or "12.4.254.21-node.21". */
function parts (version: string): number[] {
  return version.replace(/^v/, '').split(/[.-]/).map(part => Number.parseInt(part, 10))
}

/** Whether `version` comes before `minimum` (dotted numbers; missing parts count as 0). */
export function isOlder (version: string, minimum: string): boolean {
  const have = parts(version)
  const need = parts(minimum)
  for (let i = 0; i < need.length; i++) {
    const a = have[i] || 0 // NaN or missing
    if (a !== need[i]) return a < need[i]
  }
  return false
}

/** The one line an older Node gets: what is needed, what this is, what to do. */
export function tooOldMessage (version: string, minimum: string): string {
  const shown = minimum.replace(/\.0$/, '')
  return `shoal: needs Node.js ${shown} or newer, this is ${version.replace(/^v/, '')}: ` +
    'install the current LTS from https://nodejs.org or with your version manager (nvm install --lts)'
}

/**
 * The CLI's V8 flags (why each: v8-flags.ts) with the oldest V8 known to accept it. V8 prints
 * "unrecognized flag" to stderr for one it does not know, and JavaScript cannot ask it
 * beforehand, so a flag is set only from the V8 version it was seen in (checked with
 * `node --v8-options` on Node 20, 22 and 24).
 */
const V8_FLAGS: ReadonlyArray<{ flag: string, sinceV8: string }> = [
  // not in V8 12.4 (Node 22); in 13.6 (Node 24)
  { flag: '--external-memory-accounted-in-global-limit', sinceV8: '13.6' },
  { flag: '--heap-growing-percent=400', sinceV8: '11.3' },
  { flag: '--no-memory-reducer', sinceV8: '11.3' }
]

/** The CLI's V8 flags that the V8 of `v8Version` (process.versions.v8) knows. */
export function v8FlagsFor (v8Version: string): string[] {
  return V8_FLAGS.filter(f => !isOlder(v8Version, f.sinceV8)).map(f => f.flag)
}
