import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join, posix } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Imports flow one way (DESIGN.md "Layout"): cli → node → {swarm, discovery, api, config,
 * protocols} → {core, storage} → errors/utils. Only node/ (and the edges above it: cli/,
 * src/index.ts, src/testing) imports a protocol; core/ does no I/O. Read from the sources, so
 * `import type` counts too.
 */

/** The repository: this file runs as dist/test/unit/architecture.spec.js. */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

type Layer = 'cli' | 'node' | 'swarm' | 'discovery' | 'api' | 'config' | 'protocols' | 'examples' |
'core' | 'storage' | 'errors' | 'utils' | 'index' | 'testing'

const EVERYTHING: readonly Layer[] = ['cli', 'node', 'swarm', 'discovery', 'api', 'config', 'protocols', 'examples', 'core', 'storage', 'errors', 'utils', 'index', 'testing']
const BOTTOM: readonly Layer[] = ['errors', 'utils']
const DATA: readonly Layer[] = ['core', 'storage', ...BOTTOM]

/** What each layer may import (its own layer included). */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  cli: EVERYTHING,
  index: EVERYTHING,
  testing: EVERYTHING,
  node: ['node', 'swarm', 'discovery', 'api', 'config', 'protocols', ...DATA],
  swarm: ['swarm', 'config', ...DATA],
  discovery: ['discovery', 'config', ...DATA],
  api: ['api', 'swarm', 'config', ...DATA],
  config: ['config', 'core', ...BOTTOM],
  /** Built-in protocols: written against the public protocol API (src/index.ts), as a third party would; its types only (see TYPES_ONLY). */
  protocols: ['protocols', 'index', ...DATA],
  /** Example protocols: written as a user would, against the public API (src/index.ts). */
  examples: ['examples', 'protocols', 'index', ...DATA],
  storage: DATA,
  core: ['core', ...BOTTOM],
  utils: ['utils', 'errors'],
  errors: ['errors']
}

/**
 * Protocols reach the public entry for its types only: a value imported from src/index.ts
 * would close a run-time cycle (index -> node -> protocols -> index).
 */
const TYPES_ONLY: ReadonlyArray<{ from: Layer, to: Layer }> = [{ from: 'protocols', to: 'index' }, { from: 'examples', to: 'index' }]

/** Packages that do I/O or reach the network: core/ stays pure. */
const NOT_IN_CORE = /^(node:(fs|net|http|https|child_process|dgram|worker_threads)(\/|$)|@libp2p\/|libp2p$)/

/**
 * Known breaches being fixed in parallel (issue 11): the lead removes them at merge. An entry
 * that no longer matches an import fails the test, so this list only shrinks.
 */
const ALLOWED: ReadonlyArray<{ from: string, to: string }> = []

interface Import { from: string, to: string, typeOnly?: boolean }

/** The layer of a repository path such as `src/core/manifest.ts` or `protocols/piece-exchange/wire.ts`. */
export function layerOf (path: string): Layer | undefined {
  const [top, second] = path.split('/')
  if (top === 'protocols') return second === 'examples' ? 'examples' : 'protocols'
  if (top !== 'src') return undefined
  if (second === 'errors.ts') return 'errors'
  if (second === 'index.ts') return 'index'
  return (EVERYTHING as readonly string[]).includes(second) ? second as Layer : undefined
}

/** Why `from` may not import `to` (a repository path or a package name), or undefined when it may. */
export function breach ({ from, to, typeOnly }: Import): string | undefined {
  const source = layerOf(from)
  if (source === undefined) return undefined
  if (!to.includes('/') || !(to.startsWith('src/') || to.startsWith('protocols/'))) {
    return source === 'core' && NOT_IN_CORE.test(to) ? 'core/ does no I/O and knows no libp2p' : undefined
  }
  const target = layerOf(to)
  if (target !== undefined && !MAY_IMPORT[source].includes(target)) return `${source} may not import ${target}`
  if (typeOnly !== true && TYPES_ONLY.some(t => t.from === source && t.to === target)) return `${source} may import only types from ${target}`
  return undefined
}

/** Every import, export-from and dynamic import in a source file, relative ones as repository paths. */
export function importsOf (path: string, text: string): Import[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
  const specifiers = [
    ...code.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gm),
    ...code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)
  ].map(match => ({ spec: match[1], typeOnly: /^\s*(?:import|export)\s+type\b/.test(match[0]) }))
  return specifiers.map(({ spec, typeOnly }) => ({
    from: path,
    to: spec.startsWith('.') ? posix.join(posix.dirname(path), spec).replace(/\.js$/, '.ts') : spec,
    typeOnly
  }))
}

function sourceFiles (dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter(name => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map(name => posix.join(dir, name.split('\\').join('/')))
}

const isAllowed = (i: Import): boolean => ALLOWED.some(a => a.from === i.from && a.to === i.to)

describe('architecture: imports flow one way', () => {
  const imports = ['src', 'protocols'].flatMap(sourceFiles)
    .flatMap(path => importsOf(path, readFileSync(join(ROOT, path), 'utf8')))

  it('reads the sources', () => {
    assert.ok(existsSync(join(ROOT, 'src/index.ts')), `no sources at ${ROOT}`)
    assert.ok(imports.some(i => i.from === 'src/node/swarm-wiring.ts' && i.to === 'protocols/piece-exchange/index.ts'))
    assert.ok(imports.some(i => i.from === 'src/cli/index.ts' && i.to === 'src/cli/v8-flags.ts'), 'a side-effect import')
  })

  it('has no import against the rule, but for the listed exceptions', () => {
    const found = imports.filter(i => !isAllowed(i)).flatMap(i => {
      const why = breach(i)
      return why === undefined ? [] : [`${i.from} imports ${i.to}: ${why}`]
    })
    assert.deepEqual(found, [])
  })

  it('lists only exceptions that still occur and still break the rule', () => {
    const stale = ALLOWED.filter(a => !imports.some(i => i.from === a.from && i.to === a.to) || breach(a) === undefined)
    assert.deepEqual(stale, [], 'remove these from ALLOWED')
  })

  describe('the rule', () => {
    const cases: Array<[string, string, boolean, boolean?]> = [
      ['src/core/peer-score.ts', 'src/config/defaults.ts', false],
      ['src/core/manifest.ts', 'src/core/manifest-limits.ts', true],
      ['src/core/content-id.ts', 'node:crypto', true],
      ['src/core/x.ts', 'node:fs/promises', false],
      ['src/core/x.ts', '@libp2p/interface', false],
      ['src/storage/import-content.ts', 'src/config/defaults.ts', false],
      ['src/storage/fs-store.ts', 'node:fs/promises', true],
      ['protocols/piece-exchange/constants.ts', 'src/config/defaults.ts', false],
      ['protocols/piece-exchange/wire.ts', 'src/utils/frames.ts', true],
      ['protocols/examples/who-has/index.ts', 'src/index.ts', true, true],
      ['protocols/piece-exchange/index.ts', 'src/index.ts', true, true],
      ['protocols/piece-exchange/index.ts', 'src/index.ts', false, false],
      ['protocols/examples/who-has/index.ts', 'src/node/shoal-node.ts', false],
      ['src/api/server.ts', 'src/node/shoal-node.ts', false],
      ['src/api/server.ts', 'src/swarm/types.ts', true],
      ['src/swarm/swarm.ts', 'protocols/piece-exchange/index.ts', false],
      ['src/node/shoal-node.ts', 'protocols/piece-exchange/index.ts', true],
      ['src/config/defaults.ts', 'src/core/manifest-limits.ts', true],
      ['src/config/schema.ts', 'src/swarm/types.ts', false],
      ['src/node/bans.ts', 'src/utils/atomic-write.ts', true],
      ['src/utils/atomic-write.ts', 'src/swarm/records.ts', false],
      ['src/cli/index.ts', 'src/node/shoal-node.ts', true]
    ]
    for (const [from, to, ok, typeOnly] of cases) {
      it(`${from} ${ok ? 'may' : 'may not'} import ${typeOnly === undefined ? '' : typeOnly ? 'types from ' : 'values from '}${to}`, () => {
        assert.equal(breach({ from, to, typeOnly }) === undefined, ok)
      })
    }

    it('finds static, type-only, multi-line, re-exported and dynamic imports, not those in comments', () => {
      const text = [
        "import { a } from './a.js'",
        "import type { B } from '../b/b.js'",
        'import {',
        '  c',
        "} from './c.js'",
        "export { d } from './d.js'",
        "import './e.js'",
        "const f = await import('./f.js')",
        "// import { g } from './g.js'",
        "/** import { h } from './h.js' */"
      ].join('\n')
      assert.deepEqual(importsOf('src/x/y.ts', text).map(i => i.to).sort(),
        ['src/b/b.ts', 'src/x/a.ts', 'src/x/c.ts', 'src/x/d.ts', 'src/x/e.ts', 'src/x/f.ts'])
    })
  })
})
