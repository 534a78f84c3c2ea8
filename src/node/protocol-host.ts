import { askedCapabilities, grantCapabilities, hasCapabilities, recordingRegistrar, scopedSwarmsView } from './module-components.js'
import { fail } from './protocol-loader.js'
import type { Libp2pComponents } from './libp2p.js'
import type { LoadedProtocol, ShoalCapabilities, ShoalCapability, ShoalProtocolFactory, ShoalProtocolService, ShoalServiceFactory } from './protocol-api.js'
import type { SwarmsView } from '../swarm/swarms-view.js'
import type { Logger, Startable } from '@libp2p/interface'

/** Shoal's part of every protocol's components: the swarms, read-only, and the capabilities a protocol may ask for. */
export interface SwarmComponents extends ShoalCapabilities {
  swarms: SwarmsView
}

interface Entry {
  module: string
  service: ShoalProtocolService
  /** Protocol ids the module handles, recorded by its own registrar. */
  protocolIds: Set<string>
  topologies: Set<string>
  /** Removes the module's swarm listeners. */
  release: () => void
  started: boolean
  /** A config module: its failures are wrapped in a ProtocolLoadError, and it stops before the swarms. */
  user: boolean
}

/**
 * The libp2p service that runs the node's protocols, built-in and user. libp2p hands it its
 * components, as it does every service; it builds each protocol with components of its own
 * (a registrar that records what it handles, a swarms view whose listeners go with it, the
 * capabilities it asked for and no others), and lists what each registered.
 *
 * libp2p starts it, which starts the built-ins. The config's modules come later, once the
 * node has restored its swarms (`load`), and stop before them (`stopModules`).
 */
export class ProtocolHost implements Startable {
  readonly [Symbol.toStringTag] = 'shoal:protocols'
  private readonly components: Libp2pComponents
  private readonly log: Logger
  private readonly entries: Entry[] = []

  constructor (components: Libp2pComponents) {
    // only the parts a protocol is given: libp2p's components object holds every service too
    this.components = {
      peerId: components.peerId,
      registrar: components.registrar,
      connectionManager: components.connectionManager,
      peerStore: components.peerStore,
      events: components.events,
      logger: components.logger
    }
    this.log = components.logger.forComponent('shoal:protocols')
  }

  /** A built-in protocol, started with the others by `start()`. */
  add<S extends ShoalProtocolService, K extends ShoalCapability> (module: string, factory: ShoalServiceFactory<S, K>, shoal: SwarmComponents): S {
    return this.build(module, factory, shoal, false)
  }

  /** A config module: call its factory with `options`, build it and start it. Every failure is a ProtocolLoadError naming it. */
  async load (module: string, factory: ShoalProtocolFactory, options: unknown, shoal: SwarmComponents): Promise<void> {
    let build: ReturnType<ShoalProtocolFactory>
    try {
      build = factory(options)
    } catch (err) {
      throw fail(module, `threw in its factory: ${(err as Error).message}`, err)
    }
    if (typeof build !== 'function') throw fail(module, 'has a factory that did not return a function (components) => service')
    this.build(module, build, shoal, true)
    await this.start()
  }

  /** Start every protocol not started yet, in the order added. A config module's failure is a ProtocolLoadError. */
  async start (): Promise<void> {
    for (const entry of this.entries) {
      if (entry.started) continue
      try {
        await entry.service.start?.()
      } catch (err) {
        if (!entry.user) throw err
        throw fail(entry.module, `failed to start: ${(err as Error).message}`, err)
      } finally {
        // a failed start may have registered handlers: stop() must clean those up too
        entry.started = true
      }
    }
  }

  /** Stop the config's modules, last first. */
  async stopModules (): Promise<void> {
    await this.stopEntries(entry => entry.user)
  }

  /** Stop every protocol still running, last first. Errors are logged. */
  async stop (): Promise<void> {
    await this.stopEntries(() => true)
  }

  /** Every protocol, in the order added (the built-ins first), with the protocol ids it handles. */
  list (): LoadedProtocol[] {
    return this.entries.map(e => ({ module: e.module, protocolIds: [...e.protocolIds] }))
  }

  /** Whether a protocol (built in or a module) handles `protocolId`. */
  handles (protocolId: string): boolean {
    return this.entries.some(e => e.protocolIds.has(protocolId))
  }

  /** The service of the config module named `module`, as written in the config. */
  service (module: string): ShoalProtocolService | undefined {
    return this.entries.find(e => e.user && e.module === module)?.service
  }

  private build<S extends ShoalProtocolService, K extends ShoalCapability> (module: string, factory: ShoalServiceFactory<S, K>, shoal: SwarmComponents, user: boolean): S {
    const asked = askedCapabilities(factory.capabilities)
    if (typeof asked === 'string') throw fail(module, asked)
    const protocolIds = new Set<string>()
    const topologies = new Set<string>()
    const swarms = scopedSwarmsView(shoal.swarms, this.log)
    const registrar = recordingRegistrar(this.components.registrar, protocolIds, topologies)
    const own = grantCapabilities({ ...this.components, registrar, swarms: swarms.view }, shoal, asked)
    let service: S
    try {
      if (!hasCapabilities(own, factory.capabilities ?? [])) throw new TypeError('a capability it asks for is missing')
      service = factory(own)
    } catch (err) {
      swarms.release()
      if (!user) throw err
      throw fail(module, `threw in its factory: ${(err as Error).message}`, err)
    }
    if (service === null || typeof service !== 'object') {
      swarms.release()
      throw fail(module, 'did not give a service: (options) => (components) must return an object')
    }
    const entry = { module, service, protocolIds, topologies, release: swarms.release, started: false, user }
    // the built-ins stay first (peer exchange is added after the config's modules, see node.ts)
    const firstModule = this.entries.findIndex(e => e.user)
    if (user || firstModule < 0) this.entries.push(entry)
    else this.entries.splice(firstModule, 0, entry)
    return service
  }

  private async stopEntries (which: (entry: Entry) => boolean): Promise<void> {
    for (const entry of [...this.entries].reverse()) {
      if (!entry.started || !which(entry)) continue
      entry.started = false
      try {
        await entry.service.stop?.()
      } catch (err) {
        this.log.error('protocol %s failed to stop - %e', entry.module, err)
      }
      entry.release()
      for (const id of entry.protocolIds) await this.components.registrar.unhandle(id).catch(() => {})
      for (const id of entry.topologies) this.components.registrar.unregister(id)
    }
  }
}

/** The host as a libp2p service factory: `services: { protocols: protocolHost() }`. */
export function protocolHost (): (components: Libp2pComponents) => ProtocolHost {
  return (components) => new ProtocolHost(components)
}
