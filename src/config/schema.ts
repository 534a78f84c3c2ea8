import { multiaddr } from '@multiformats/multiaddr'
import { z } from 'zod'
import { MANIFEST_LIMITS } from '../core/manifest-limits.js'
import { DURATION_FORMS, parseDuration } from '../utils/duration.js'
import { DEFAULTS } from './defaults.js'

/** The config file as a user writes it: every key optional, unknown keys refused. */

const isMultiaddr = (value: string): boolean => {
  try {
    multiaddr(value)
    return true
  } catch {
    return false
  }
}

const multiaddrString = z.string().refine(isMultiaddr, { message: 'not a valid multiaddr' })
const hasPeerId = (value: string): boolean => {
  try {
    return multiaddr(value).getComponents().some(c => c.name === 'p2p')
  } catch {
    return true // already reported as not a multiaddr
  }
}
const peerMultiaddr = multiaddrString.refine(hasPeerId, {
  message: 'a bootstrap address must end in /p2p/<peer id>'
})
/**
 * A non-empty string. Not `z.string().min(1)`: zod runs length checks even on a value that is
 * not a string, and `{"length": {"toString": 0}}` then threw a TypeError (found by fuzzing).
 */
const nonEmptyString = z.string().refine(v => v.length > 0, { message: 'must not be empty' })
const positiveInt = z.number().int().positive()
/** 0 = unlimited; otherwise at least 1 KiB/s (slower would starve every timeout). */
const bytesPerSecond = z.number().int().min(0).refine(v => v === 0 || v >= 1024, { message: '0 (unlimited) or at least 1024 bytes per second' })
/** A duration: milliseconds as a number, or a string as `--timeout` takes it ("30s", "2m", "1500ms"). */
const duration = (maxMs: number, { zero = false } = {}) => z.union([z.number(), z.string()], { message: `a duration: milliseconds (a number) or a string such as ${DURATION_FORMS}` })
  .transform((value, ctx) => {
    if (typeof value === 'number') return value
    const ms = parseDuration(value, null)
    if (ms === undefined) ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration: give milliseconds (a number) or a string such as ${DURATION_FORMS}` })
    return ms ?? 0
  })
  .pipe(z.number().int().min(zero ? 0 : 1).max(maxMs, { message: `at most ${maxMs} ms (${maxMs / 3_600_000}h)` }))
const durationMs = duration(24 * 60 * 60 * 1000)
/** A duration where 0 means "no limit". */
const durationOrZero = duration(24 * 60 * 60 * 1000, { zero: true })
const powerOfTwo = (value: number): boolean => value > 0 && (value & (value - 1)) === 0
/** A configured piece size is one a manifest may have. */
const { minPieceSize, maxPieceSize } = MANIFEST_LIMITS

export const configSchema = z.strictObject({
  dataDir: nonEmptyString.default(DEFAULTS.dataDir),
  listen: z.array(multiaddrString).default([...DEFAULTS.listen]),
  bootstrap: z.array(peerMultiaddr).default([...DEFAULTS.bootstrap]),
  dialLocalAddresses: z.boolean().default(DEFAULTS.dialLocalAddresses),
  api: z.strictObject({
    host: z.enum(['127.0.0.1', '::1', 'localhost'], { message: 'the control API listens on loopback only: 127.0.0.1, ::1 or localhost' }).default(DEFAULTS.api.host),
    port: z.number().int().min(0).max(65535).default(DEFAULTS.api.port)
  }).prefault({}),
  /** Opt-in: Prometheus metrics without a token on their own address (absent: none). */
  metrics: z.strictObject({
    host: nonEmptyString.default(DEFAULTS.metrics.host),
    port: z.number().int().min(0).max(65535).default(DEFAULTS.metrics.port)
  }).optional(),
  /** The read-only HTTP gateway that streams verified content. */
  gateway: z.strictObject({
    host: nonEmptyString.default(DEFAULTS.gateway.host),
    port: z.number().int().min(0).max(65535).default(DEFAULTS.gateway.port)
  }).prefault({}),
  swarmKey: nonEmptyString.optional(),
  protocols: z.array(z.strictObject({
    module: nonEmptyString,
    options: z.record(z.string(), z.unknown()).default({})
  })).default([]),
  content: z.strictObject({
    pieceSize: z.number().int().min(0).refine(v => v === 0 || (powerOfTwo(v) && v >= minPieceSize && v <= maxPieceSize), {
      message: `0 (automatic) or a power of two from ${minPieceSize} to ${maxPieceSize}`
    }).default(DEFAULTS.content.pieceSize)
  }).prefault({}),
  dht: z.strictObject({
    enabled: z.boolean().default(DEFAULTS.dht.enabled),
    protocol: z.string().regex(/^\/[\x21-\x7e]+$/, 'a protocol id such as /shoal/kad/1.0.0').default(DEFAULTS.dht.protocol)
  }).prefault({}),
  mdns: z.strictObject({
    enabled: z.boolean().default(DEFAULTS.mdns.enabled)
  }).prefault({}),
  peerExchange: z.strictObject({
    enabled: z.boolean().default(DEFAULTS.peerExchange.enabled)
  }).prefault({}),
  nat: z.strictObject({
    upnp: z.boolean().default(DEFAULTS.nat.upnp)
  }).prefault({}),
  relay: z.strictObject({
    server: z.boolean().default(DEFAULTS.relay.server),
    maxReservations: positiveInt.max(10_000).default(DEFAULTS.relay.maxReservations),
    dataLimit: z.number().int().min(0).refine(v => v === 0 || v >= 64 * 1024, { message: '0 (no limit) or at least 65536 bytes' }).default(DEFAULTS.relay.dataLimit),
    durationLimit: durationOrZero.default(DEFAULTS.relay.durationLimit)
  }).prefault({}),
  limits: z.strictObject({
    maxInflightBytesPerPeer: positiveInt.min(64 * 1024).default(DEFAULTS.limits.maxInflightBytesPerPeer),
    maxQueuedRequestsPerPeer: positiveInt.max(65536).default(DEFAULTS.limits.maxQueuedRequestsPerPeer),
    maxPeersPerSwarm: positiveInt.default(DEFAULTS.limits.maxPeersPerSwarm),
    maxConnections: positiveInt.default(DEFAULTS.limits.maxConnections),
    inboundConnectionRate: positiveInt.max(10_000).default(DEFAULTS.limits.inboundConnectionRate),
    maxPendingConnections: positiveInt.max(10_000).default(DEFAULTS.limits.maxPendingConnections),
    maxConnectionsPerAddress: positiveInt.max(100_000).default(DEFAULTS.limits.maxConnectionsPerAddress),
    uploadSlots: positiveInt.max(1000).default(DEFAULTS.limits.uploadSlots),
    uploadRate: bytesPerSecond.default(DEFAULTS.limits.uploadRate),
    downloadRate: bytesPerSecond.default(DEFAULTS.limits.downloadRate),
    maxManifestSize: positiveInt.min(1024).max(256 * 1024 * 1024).default(DEFAULTS.limits.maxManifestSize),
    maxBadPieces: positiveInt.default(DEFAULTS.limits.maxBadPieces),
    banDuration: duration(365 * 24 * 60 * 60 * 1000).default(DEFAULTS.limits.banDuration)
  }).prefault({}),
  timeouts: z.strictObject({
    discovery: durationMs.default(DEFAULTS.timeouts.discovery),
    request: durationMs.default(DEFAULTS.timeouts.request),
    handshake: durationMs.default(DEFAULTS.timeouts.handshake),
    rediscoverInterval: durationMs.default(DEFAULTS.timeouts.rediscoverInterval),
    seedCheck: durationMs.default(DEFAULTS.timeouts.seedCheck)
  }).prefault({})
})

export type ConfigInput = z.input<typeof configSchema>
type Parsed = z.output<typeof configSchema>

/** A validated config with every default applied and every path absolute. */
export type ShoalConfig = Readonly<Parsed & {
  /** The config file this came from, if any. */
  configPath?: string
}>
