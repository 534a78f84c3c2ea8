import { recordingRegistrar, scopedSwarmsView } from './module-components.js'
import { fail } from './protocol-loader.js'
import type { LoadedProtocol, ShoalProtocolService } from './protocol-api.js'
import type { SwarmsView } from '../swarm/swarms-view.js'
import type { Logger } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

/** What the host needs of a module's components: the registrar it wraps (and for user modules, the swarms view). */
interface HostedComponents {
  registrar: Registrar
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
  /** User modules get their failures wrapped in a ProtocolLoadError. */
  user: boolean
}

/**
 * The node's protocols, built-in and user: builds each from its factory with components of
 * its own (a registrar that records what it handles, a swarms view whose listeners go with
 * it), starts them in order, stops them in reverse, and lists what each registered.
 */
export class ProtocolHost {
  private readonly entries: Entry[] = []

  constructor (private readonly log: Logger) {}

  /**
   * Build one protocol; `build` gets the module's own components (for a user module, also
   * a swarms view of its own). Started later by `start()`.
   */
  add<C extends HostedComponents, S extends ShoalProtocolService> (module: string, components: C, build: (components: C) => S, user = false): S {
    const protocolIds = new Set<string>()
    const topologies = new Set<string>()
    const view = (components as { swarms?: SwarmsView }).swarms
    const swarms = user && view !== undefined ? scopedSwarmsView(view, this.log) : undefined
    const own = { ...components, registrar: recordingRegistrar(components.registrar, protocolIds, topologies), ...(swarms === undefined ? {} : { swarms: swarms.view }) }
    let service: S
    try {
      service = build(own)
    } catch (err) {
      swarms?.release()
      if (!user) throw err
      throw fail(module, `threw in its factory: ${(err as Error).message}`, err)
    }
    if (service === null || typeof service !== 'object') {
      swarms?.release()
      throw fail(module, 'did not give a service: (options) => (components) must return an object')
    }
    this.entries.push({ module, service, protocolIds, topologies, release: swarms?.release ?? (() => {}), started: false, user })
    return service
  }

  /** Start every protocol not started yet, in the order added. A user module's failure is a ProtocolLoadError. */
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

  /** Stop every started protocol, last first; unhandle what a module left registered. Errors are logged. */
  async stop (registrar: Registrar): Promise<void> {
    for (const entry of [...this.entries].reverse()) {
      if (!entry.started) continue
      entry.started = false
      try {
        await entry.service.stop?.()
      } catch (err) {
        this.log.error('protocol %s failed to stop - %e', entry.module, err)
      }
      entry.release()
      for (const id of entry.protocolIds) await registrar.unhandle(id).catch(() => {})
      for (const id of entry.topologies) registrar.unregister(id)
    }
  }

  list (): LoadedProtocol[] {
    return this.entries.map(e => ({ module: e.module, protocolIds: [...e.protocolIds] }))
  }

  /** The service of the module named `module`, as written in the config. */
  service (module: string): ShoalProtocolService | undefined {
    return this.entries.find(e => e.module === module)?.service
  }
}
