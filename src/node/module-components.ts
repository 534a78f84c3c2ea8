import type { GrantedComponents, ShoalCapabilities, ShoalCapability, ShoalComponents, SwarmTrading } from './protocol-api.js'
import type { SwarmEvents } from '../swarm/events.js'
import type { SwarmEventListener, SwarmsView } from '../swarm/swarms-view.js'
import type { Logger } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

/** Per-module components: each protocol module gets its own registrar and swarms view, and only the capabilities it asked for. */

/** Every capability a module may ask for, by name. */
const KNOWN_CAPABILITIES: ReadonlySet<string> = new Set<ShoalCapability>(['trading'])

/**
 * The names in a service factory's `capabilities`, checked: an array of known names, or
 * nothing. Returns the first thing wrong with it as text.
 */
export function askedCapabilities (asked: unknown): ShoalCapability[] | string {
  if (asked === undefined) return []
  if (!Array.isArray(asked)) return 'has "capabilities" that is not an array of names'
  const unknown = asked.find(name => typeof name !== 'string' || !KNOWN_CAPABILITIES.has(name))
  if (unknown !== undefined) return `asks for an unknown capability ${JSON.stringify(unknown)} (known: ${[...KNOWN_CAPABILITIES].join(', ')})`
  return asked.filter(isCapability)
}

function isCapability (name: unknown): name is ShoalCapability {
  return typeof name === 'string' && KNOWN_CAPABILITIES.has(name)
}

/** `components` with the capabilities `asked` added from `all`, and no others. */
export function grantCapabilities (components: ShoalComponents, all: ShoalCapabilities, asked: readonly ShoalCapability[]): ShoalComponents {
  const granted: ShoalComponents = { ...components }
  for (const name of asked) granted[name] = all[name]
  return granted
}

/** Whether every capability `asked` is among `components`. */
export function hasCapabilities<K extends ShoalCapability> (components: ShoalComponents, asked: readonly K[]): components is GrantedComponents<K> {
  return asked.every(name => components[name] !== undefined)
}

/** The trading capability over the node's swarms: just its two methods, nothing else of the object behind them. */
export function tradingOf (swarms: SwarmTrading): SwarmTrading {
  return Object.freeze({
    endpoint: (contentId: string) => swarms.endpoint(contentId),
    manifestBytes: (contentId: Parameters<SwarmTrading['manifestBytes']>[0]) => swarms.manifestBytes(contentId)
  })
}

/** A registrar that records the protocol ids and topologies one module registers. */
export function recordingRegistrar (registrar: Registrar, protocolIds: Set<string>, topologies: Set<string>): Registrar {
  return {
    getProtocols: () => registrar.getProtocols(),
    getHandler: (protocol) => registrar.getHandler(protocol),
    handle: async (protocol, handler, options) => {
      await registrar.handle(protocol, handler, options)
      protocolIds.add(protocol)
    },
    unhandle: async (protocol, options) => {
      await registrar.unhandle(protocol, options)
      protocolIds.delete(protocol)
    },
    use: (protocol, middleware) => { registrar.use(protocol, middleware) },
    unuse: (protocol) => { registrar.unuse(protocol) },
    getMiddleware: (protocol) => registrar.getMiddleware(protocol),
    register: async (protocol, topology, options) => {
      const id = await registrar.register(protocol, topology, options)
      topologies.add(id)
      return id
    },
    unregister: (id) => {
      registrar.unregister(id)
      topologies.delete(id)
    },
    getTopologies: (protocol) => registrar.getTopologies(protocol)
  }
}

/**
 * One module's view of the swarms: its listeners are guarded (a throwing listener is logged,
 * not an uncaught exception) and all removed when the module stops.
 */
export function scopedSwarmsView (view: SwarmsView, log: Logger): { view: SwarmsView, release: () => void } {
  // type -> the module's listener -> the guarded one given to the view
  const wrapped = new Map<keyof SwarmEvents, Map<SwarmEventListener<any>, SwarmEventListener<any>>>()
  const scoped: SwarmsView = Object.freeze({
    list: () => view.list(),
    get: (contentId: string) => view.get(contentId),
    manifest: (contentId: string) => view.manifest(contentId),
    peers: (contentId: string) => view.peers(contentId),
    peerHas: (contentId: string, peerId: string, index: number) => view.peerHas(contentId, peerId, index),
    peerPieces: (contentId: string, peerId: string) => view.peerPieces(contentId, peerId),
    hasPiece: (contentId: string, index: number) => view.hasPiece(contentId, index),
    readPiece: async (contentId: string, index: number, options?: { signal?: AbortSignal }) => await view.readPiece(contentId, index, options),
    offerPeer: (contentId: string, peerId: string) => { view.offerPeer(contentId, peerId) },
    addEventListener: <K extends keyof SwarmEvents>(type: K, listener: SwarmEventListener<K>) => {
      const ofType = wrapped.get(type) ?? new Map()
      if (ofType.has(listener)) return
      const guarded: SwarmEventListener<K> = (event) => {
        try {
          listener(event)
        } catch (err) {
          log.error('a %s listener threw - %e', type, err)
        }
      }
      wrapped.set(type, ofType.set(listener, guarded))
      view.addEventListener(type, guarded)
    },
    removeEventListener: <K extends keyof SwarmEvents>(type: K, listener: SwarmEventListener<K>) => {
      const guarded = wrapped.get(type)?.get(listener)
      if (guarded === undefined) return
      wrapped.get(type)?.delete(listener)
      view.removeEventListener(type, guarded)
    }
  })
  const release = (): void => {
    for (const [type, ofType] of wrapped) {
      for (const guarded of ofType.values()) view.removeEventListener(type, guarded)
    }
    wrapped.clear()
  }
  return { view: scoped, release }
}
