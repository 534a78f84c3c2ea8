/**
 * The config file: arbitrary text, arbitrary JSON values and near-valid configs through
 * parseConfig and resolveConfig. The only failure is ConfigError, and its message names
 * a key or says the file is not JSON; what is accepted is frozen with absolute paths.
 */
import { isAbsolute } from 'node:path'
import fc from 'fast-check'
import { parseConfig, resolveConfig } from '../../../src/config/load.js'
import { FuzzFailure, check, expectNamed } from '../target.js'
import type { FuzzTarget } from '../target.js'

const number = fc.oneof(fc.integer({ min: -2, max: 70_000 }), fc.double(), fc.constantFrom(0, 1024, 65536, 2 ** 53, -0, Number.MAX_VALUE))
/** Objects whose conversion to a primitive throws: validators that coerce trip on them. */
const unconvertible = fc.constantFrom({ length: { toString: 0 } }, { toString: 0, valueOf: 0 }, { length: 1e9 }, { length: -1 }, [[]])
const value = fc.oneof(number, fc.string({ maxLength: 30 }), fc.boolean(), fc.constant(null), fc.array(fc.string({ maxLength: 10 }), { maxLength: 3 }), fc.object({ maxDepth: 1 }), unconvertible)
const multiaddrish = fc.oneof(fc.constantFrom('/ip4/127.0.0.1/tcp/0', '/ip4/0.0.0.0/tcp/4001', '/ip6/::1/tcp/1', '/ip4/1.2.3.4/tcp/1/p2p/12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo', '/p2p/x', '/ip4/999.1.1.1/tcp/1', ''), fc.string({ maxLength: 40 }).map(s => `/${s}`))
const section = (keys: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> => fc.oneof(fc.record(keys, { requiredKeys: [] }), value)

/** Objects shaped like a config, with some keys wrong in type, range or name. */
const nearValid = fc.record({
  dataDir: fc.oneof(fc.string({ maxLength: 20 }), value),
  listen: fc.oneof(fc.array(multiaddrish, { maxLength: 3 }), value),
  bootstrap: fc.oneof(fc.array(multiaddrish, { maxLength: 3 }), value),
  api: section({ host: fc.oneof(fc.constantFrom('127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'), value), port: number }),
  swarmKey: value,
  protocols: fc.oneof(fc.array(fc.record({ module: fc.string(), options: fc.oneof(fc.object(), value) }, { requiredKeys: [] }), { maxLength: 2 }), value),
  content: section({ pieceSize: number }),
  dht: section({ enabled: value, protocol: fc.oneof(fc.constant('/shoal/kad/1.0.0'), fc.string({ maxLength: 20 })) }),
  limits: section({ maxInflightBytesPerPeer: number, maxQueuedRequestsPerPeer: number, maxPeersPerSwarm: number, maxConnections: number, uploadSlots: number, uploadRate: number, downloadRate: number, maxManifestSize: number, maxBadPieces: number }),
  timeouts: section({ discovery: number, request: number, handshake: number, rediscoverInterval: number }),
  __proto__: value,
  constructor: value,
  unknownKey: value
}, { requiredKeys: [] })

/** JSON nested deeper than any config: text for the parser, a value for the options record. */
const deep = fc.integer({ min: 1, max: 20_000 }).map(depth => `{"protocols":[{"module":"m","options":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}]}`)

const text = fc.oneof(
  fc.string({ maxLength: 200 }),
  nearValid.map(v => JSON.stringify(v)),
  fc.jsonValue({ maxDepth: 4 }).map(v => JSON.stringify(v)),
  nearValid.chain(v => fc.tuple(fc.constant(JSON.stringify(v)), fc.nat(), fc.string({ maxLength: 3 })).map(([t, at, s]) => t.slice(0, at % (t.length + 1)) + s + t.slice(at % (t.length + 1)))),
  deep
)

function checkAccepted (config: ReturnType<typeof resolveConfig>): void {
  if (!Object.isFrozen(config) || !Object.isFrozen(config.limits)) throw new FuzzFailure('an accepted config is not frozen')
  if (!isAbsolute(config.dataDir)) throw new FuzzFailure(`dataDir ${config.dataDir} is not absolute`)
  if (!['127.0.0.1', '::1', 'localhost'].includes(config.api.host)) throw new FuzzFailure(`the API may listen on ${config.api.host}`)
}

function attempt (run: () => ReturnType<typeof resolveConfig>, what: string): void {
  try {
    checkAccepted(run())
  } catch (err) {
    if (err instanceof FuzzFailure) throw err
    expectNamed(err, ['ConfigError'], what)
    if (/\n\s+at /.test((err as Error).message)) throw new FuzzFailure(`${what}: a stack trace in the message`)
  }
}

export const configTarget: FuzzTarget = {
  name: 'config',
  description: 'parseConfig (text) and resolveConfig (any value): only ConfigError',
  run: async (runs, seed) => await check(fc.property(fc.oneof(
    text.map(t => ({ text: t })),
    fc.oneof(nearValid, fc.anything({ maxDepth: 3 })).map(v => ({ value: v }))
  ), (input) => {
    if ('text' in input) attempt(() => parseConfig(input.text, { baseDir: '/base' }), 'parseConfig')
    else attempt(() => resolveConfig(input.value, { baseDir: '/base' }), 'resolveConfig')
  }), runs, seed)
}
