/**
 * The config reference: every key of the schema (config/schema.ts) with its type and default
 * read from the schema itself (whose defaults are DEFAULTS), and what it does from the table
 * below, the one place that says it. `npm run docs:config` writes it into the README between
 * its config-reference markers; test/unit/config/reference.spec.ts fails when they disagree.
 */
import { IDENTITIES, PEER_FINDING } from './defaults.js'
import { configSchema } from './schema.js'

export interface ConfigKeyDoc {
  /** What the key does, in markdown. */
  meaning: string
  /** The unit of a number, said beside its default. */
  unit?: 'bytes' | 'bytes/s' | 'ms'
  /** What a default of 0 means (`unlimited`, `automatic`). */
  zero?: string
}

export const CONFIG_DOCS: Readonly<Record<string, ConfigKeyDoc>> = {
  dataDir: { meaning: 'identity key, swarm state, manifests, API files (see docs/operations.md for every file); relative to the config file\'s folder; made mode 0700 with 0600 files (a start tightens what an older version left looser), as the swarm list names everything shared' },
  listen: { meaning: 'libp2p listen multiaddrs; 4100 is Shoal\'s own default (not Kubo\'s 4001, so an IPFS node on the same machine is no clash; the examples use 4101 and 4201). A port another program holds stops the start with one line naming the address and this key; port 0 takes any free port' },
  bootstrap: { meaning: 'peers to join through, each ending in `/p2p/<peer id>` (Shoal ships no public list)' },
  dialLocalAddresses: { meaning: 'dial loopback (127.0.0.0/8, ::1, 0.0.0.0) and link-local (169.254.0.0/16, fe80::/10) addresses that peers name (peer exchange, the DHT, identify) even though no `listen` address is on such a network: for labs. Without it such addresses are dialled only when a `listen` address is on that network (a node on 127.0.0.1 dials 127.0.0.1; a wildcard 0.0.0.0 counts as neither) or when the address is a `bootstrap` one (given by IP and port)' },
  'api.host': { meaning: 'the control API\'s address: loopback only' },
  'api.port': { meaning: 'the control API\'s port; 0 = any free port (a fixed port in use stops the start with one line naming it)' },
  'metrics.host': { meaning: 'opt-in (the `metrics` key absent: no listener; given, host and port default to 127.0.0.1 and 9464): Prometheus metrics **without a token** on their own address, for a scraper that cannot send one; it serves `GET /metrics` and nothing else. Any host may be set, but off loopback anyone who can reach the port reads the node\'s numbers (see Metrics)' },
  'metrics.port': { meaning: 'the tokenless metrics listener\'s port (a port in use stops the start with one line naming `metrics.port`)' },
  'gateway.host': { meaning: 'the read-only HTTP gateway\'s address (`GET /content/<cid>[/<path>]`, with Range; `status --json` shows `gatewayUrl`): loopback by default; it answers only requests whose Host is an IP address, localhost or this host (with its port), and off loopback anyone who can reach it reads the content (shoal start warns)' },
  'gateway.port': { meaning: 'the gateway\'s port; 0 = any free port' },
  swarmKey: { meaning: 'path of a pre-shared key file: a private swarm; a file other users can read or write is refused at start (`chmod 600` it; `shoal swarm-key generate --output` writes it so)' },
  protocols: { meaning: 'protocol modules to load, in order: `[{ "module": "./x.js" or "package-name" or "package/subpath", "options": { … } }]`; paths relative to the config file\'s folder, packages resolved as an `import` from there would (see docs/protocols.md)' },
  'content.pieceSize': { meaning: 'bytes per piece for `add`: a power of two from 16 KiB to 16 MiB', unit: 'bytes', zero: 'automatic' },
  'peerExchange.enabled': { meaning: 'peer exchange (`/shoal/pex/1.0.0`, as BitTorrent\'s PEX): each peer of a swarm is told the swarm\'s other members when it joins and every 30 s, and tries those it is told of; a fed swarm so told asks the DHT only every 5 minutes. A module in `protocols` that handles the same id (the peer-exchange module with options of its own) runs instead. Off: swarms learn their members from the DHT and from peers that connect' },
  'dht.enabled': { meaning: 'Kademlia for finding providers' },
  'dht.protocol': { meaning: 'Shoal\'s own DHT, apart from IPFS\'s public one' },
  'mdns.enabled': { meaning: 'find peers on the local network by multicast DNS (UDP 5353) and dial them: two nodes on one LAN with empty `bootstrap` lists find each other. The announcement is libp2p\'s (a random name and the node\'s LAN addresses with its peer id), nothing about content or a swarm key; in a private swarm a node without the key is found but cannot connect' },
  'nat.upnp': { meaning: 'ask the router (UPnP IGD) to map the listen port, and advertise the mapped address once it is confirmed dialable; off by default: Shoal opens no router port unless told to. `status --json` shows the mapping in `mappedAddresses`' },
  'relay.server': { meaning: 'serve as a circuit relay v2: peers that cannot be dialled reserve a slot here and are reached through it (their relayed address); the relay carries their traffic, so it is off unless asked (see Reaching peers behind a NAT)' },
  'relay.maxReservations': { meaning: 'peers that may hold a reservation on this relay at once; more are refused' },
  'relay.dataLimit': { meaning: 'bytes one relayed connection may carry each way before the relay ends it (libp2p\'s stock 128 KiB stops a piece transfer; a private swarm\'s own relay carries whole transfers with 0)', unit: 'bytes', zero: 'no limit' },
  'relay.durationLimit': { meaning: 'how long one relayed connection may last before the relay ends it', unit: 'ms', zero: 'no limit' },
  'limits.maxInflightBytesPerPeer': { meaning: 'piece bytes requested from one peer and not yet received', unit: 'bytes' },
  'limits.maxQueuedRequestsPerPeer': { meaning: 'requests a peer may queue with us; more are rejected' },
  'limits.maxPeersPerSwarm': { meaning: `peers traded with per content; a downloading swarm dials ${Math.round(PEER_FINDING.dialShare * 100)}% of them itself (${Math.round(PEER_FINDING.topUpShare * 100)}% from its second search on) and leaves the rest to peers that dial it (all of them while a piece it wants has no source among its peers)` },
  'limits.maxConnections': { meaning: `libp2p connection limit (libp2p refuses inbound connections past it); all swarms together trade with at most ${Math.round(IDENTITIES.swarmConnectionShare * 100)}% of it, a full node dropping the largest swarm's least useful peer for a smaller swarm's newcomer` },
  'limits.inboundConnectionRate': { meaning: 'inbound connections a second accepted from one IP address (libp2p\'s own default, 5, refuses a LAN or a machine full of nodes)' },
  'limits.maxPendingConnections': { meaning: 'inbound connections in their handshake at once' },
  'limits.maxConnectionsPerAddress': { meaning: 'inbound connections open (or in their handshake) from one IP address, an IPv6 one counting by its /64: enough for a household of nodes behind one NAT. Raise it for a lab of many nodes on one machine (they all connect from 127.0.0.1)' },
  'limits.uploadSlots': { meaning: 'peers of one swarm we upload to at once (one of them the optimistic unchoke)' },
  'limits.uploadRate': { meaning: 'bytes per second the node uploads, over all swarms (a token bucket; 0 or at least 1024)', unit: 'bytes/s', zero: 'unlimited' },
  'limits.downloadRate': { meaning: 'bytes per second the node downloads, over all swarms (requests are paced: a piece is asked for once the rate has earned its bytes, so the limit holds over a whole `get` of a few pieces too; 0 or at least 1024)', unit: 'bytes/s', zero: 'unlimited' },
  'limits.maxManifestSize': { meaning: 'largest manifest accepted from a peer (and made by `add`)', unit: 'bytes' },
  'limits.maxBadPieces': { meaning: 'pieces failing verification before a peer is banned' },
  'limits.banDuration': { meaning: 'how long a banned peer is refused; bans are kept in `dataDir/bans.json` (mode 0600) across restarts, at most 10 000 (the oldest goes first), saved at most once a second', unit: 'ms' },
  'timeouts.discovery': { meaning: 'how long `get` looks for a peer with the content (`--timeout` overrides)', unit: 'ms' },
  'timeouts.request': { meaning: 'a piece not received in this time is requested elsewhere', unit: 'ms' },
  'timeouts.handshake': { meaning: 'piece-exchange handshake deadline', unit: 'ms' },
  'timeouts.rediscoverInterval': { meaning: 'provider searches while a download is incomplete (one fed by its connected peers waits this long for its first, and twice as long each time a search finds nobody new; one whose peers also name the swarm\'s members to it, by peer exchange, 5 minutes)', unit: 'ms' },
  'timeouts.seedCheck': { meaning: 'how often seeded files are checked for a new size or modification time (then verified again); slow checks space out so that checking takes at most a tenth of the time (`SEED_WATCH` in `src/config/defaults.ts`)', unit: 'ms' }
}

/** One key as the schema has it. */
export interface SchemaKey {
  /** Dotted path: `limits.uploadRate`. */
  key: string
  type: string
  /** The default the schema applies; undefined when the key has none (it is optional). */
  defaultValue: unknown
}

/** A zod schema's definition, as far as this walk reads it (zod 4's `def`). */
interface Def {
  type: string
  innerType?: Schema
  defaultValue?: unknown
  shape?: Record<string, Schema>
  element?: Schema
  entries?: Record<string, string>
  in?: Schema
  options?: Schema[]
  checks?: Array<{ _zod: { def: { check: string, format?: string } } }>
}
interface Schema { def: Def }

/** Every leaf key of the config schema, in the schema's order; nested objects are walked, arrays are leaves. */
export function schemaKeys (schema: Schema = configSchema as unknown as Schema, prefix = ''): SchemaKey[] {
  const keys: SchemaKey[] = []
  for (const [name, field] of Object.entries(schema.def.shape ?? {})) {
    const key = `${prefix}${name}`
    const { inner, defaultValue } = unwrap(field)
    if (inner.def.type === 'object' && name !== 'options') keys.push(...schemaKeys(inner, `${key}.`))
    else keys.push({ key, type: typeName(inner), defaultValue })
  }
  return keys
}

/** The README's table: one row per key, or an Error naming the keys the docs table lacks or has too many of. */
export function configReference (keys: SchemaKey[] = schemaKeys(), docs: Readonly<Record<string, ConfigKeyDoc>> = CONFIG_DOCS): string {
  const missing = keys.filter(k => docs[k.key] === undefined).map(k => k.key)
  const extra = Object.keys(docs).filter(d => !keys.some(k => k.key === d))
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`config reference out of step with the schema: ${[...missing.map(k => `undocumented ${k}`), ...extra.map(k => `documented but not in the schema: ${k}`)].join('; ')} (see src/config/reference.ts)`)
  }
  const rows = keys.map(k => `| \`${k.key}\` | ${k.type} | ${formatDefault(k.defaultValue, docs[k.key])} | ${docs[k.key].meaning} |`)
  return ['| key | type | default | meaning |', '|---|---|---|---|', ...rows].join('\n')
}

/** `8388608` (8 MiB), `3600000` (1 h), `0` (unlimited), none. */
export function formatDefault (value: unknown, doc: ConfigKeyDoc | undefined): string {
  if (value === undefined) return 'none'
  const code = `\`${JSON.stringify(value)}\``
  if (typeof value !== 'number') return code
  if (value === 0 && doc?.zero !== undefined) return `${code} (${doc.zero})`
  if (doc?.unit === 'ms') return `${code} (${humanMs(value)})`
  if (doc?.unit === 'bytes' || doc?.unit === 'bytes/s') return `${code} (${humanBytes(value)}${doc.unit === 'bytes/s' ? '/s' : ''})`
  return code
}

function unwrap (field: Schema): { inner: Schema, defaultValue: unknown } {
  let inner = field
  let defaultValue: unknown
  while (['default', 'prefault', 'optional'].includes(inner.def.type) && inner.def.innerType !== undefined) {
    if (inner.def.type === 'default') defaultValue = inner.def.defaultValue
    inner = inner.def.innerType
  }
  return { inner, defaultValue }
}

function typeName (schema: Schema): string {
  const def = schema.def
  switch (def.type) {
    case 'number': return def.checks?.some(c => c._zod.def.format === 'safeint') === true ? 'integer' : 'number'
    case 'enum': return `one of ${Object.values(def.entries ?? {}).map(v => `\`${v}\``).join(', ')}`
    case 'array': return `array of ${typeName(def.element as Schema)}s`
    case 'object': return 'object'
    case 'pipe': return isDuration(schema) ? 'duration' : typeName(def.in as Schema)
    default: return def.type
  }
}

/** The schema's durations: a number or a string, piped into milliseconds. */
function isDuration (schema: Schema): boolean {
  let s = schema
  while (s.def.type === 'pipe' && s.def.in !== undefined) s = s.def.in
  return s.def.type === 'union' && (s.def.options ?? []).map(o => o.def.type).sort().join() === 'number,string'
}

function humanMs (ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${unit}`
  }
  return `${ms} ms`
}

function humanBytes (bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`
  }
  return `${bytes} B`
}
