/**
 * The protocol host as the libp2p service it is, on a real libp2p node without transports:
 * libp2p starts its built-ins; config modules load one by one and stop before the built-ins;
 * each protocol gets the capabilities it asked for and no others.
 */
import assert from 'node:assert/strict'
import { createLibp2p } from 'libp2p'
import { protocolHost } from '../../../src/node/protocol-host.js'
import { isNamedError } from '../fixtures.js'
import type { ShoalComponents, ShoalProtocolService, ShoalServiceFactory, SwarmsView, SwarmTrading } from '../../../src/index.js'
import type { ProtocolHost, SwarmComponents } from '../../../src/node/protocol-host.js'
import type { Libp2p } from '@libp2p/interface'

const TRADING: SwarmTrading = { endpoint: () => undefined, manifestBytes: () => undefined }

/** A swarms view with no swarms: these tests are about what a protocol is given, not about swarms. */
function emptyView (): SwarmsView {
  return {
    list: () => [],
    get: () => undefined,
    manifest: () => undefined,
    peers: () => [],
    peerHas: () => false,
    peerPieces: () => undefined,
    hasPiece: () => false,
    readPiece: async () => { throw new Error('no swarms') },
    offerPeer: () => {},
    addEventListener: () => {},
    removeEventListener: () => {}
  }
}

/** A protocol that handles `/test/<name>/1.0.0`, writes its life into `journal` and keeps the components it got. */
function recording (name: string, journal: string[], given: Map<string, ShoalComponents>): (components: ShoalComponents) => ShoalProtocolService {
  return (components) => {
    journal.push(`build:${name}`)
    given.set(name, components)
    return {
      start: async () => {
        journal.push(`start:${name}`)
        await components.registrar.handle(`/test/${name}/1.0.0`, () => {})
      },
      stop: () => { journal.push(`stop:${name}`) }
    }
  }
}

describe('node/protocol-host', () => {
  let libp2p: Libp2p<{ protocols: ProtocolHost }>
  let host: ProtocolHost
  let shoal: SwarmComponents
  const journal: string[] = []
  const given = new Map<string, ShoalComponents>()

  beforeEach(async () => {
    journal.length = 0
    given.clear()
    libp2p = await createLibp2p({ services: { protocols: protocolHost() }, start: false })
    host = libp2p.services.protocols
    shoal = { swarms: emptyView(), trading: TRADING }
  })
  afterEach(async () => { await libp2p.stop() })

  it('libp2p starts the built-ins; modules load one by one after, and stop before the built-ins', async () => {
    host.add('shoal:one', recording('one', journal, given), shoal)
    assert.deepEqual(journal, ['build:one'])
    await libp2p.start()
    assert.deepEqual(journal, ['build:one', 'start:one'])
    await host.load('./two.js', () => recording('two', journal, given), {}, shoal)
    await host.load('./three.js', () => recording('three', journal, given), {}, shoal)
    assert.deepEqual(journal.slice(2), ['build:two', 'start:two', 'build:three', 'start:three'])
    assert.deepEqual(host.list(), [
      { module: 'shoal:one', protocolIds: ['/test/one/1.0.0'] },
      { module: './two.js', protocolIds: ['/test/two/1.0.0'] },
      { module: './three.js', protocolIds: ['/test/three/1.0.0'] }
    ])
    assert.ok(host.service('./two.js') !== undefined)
    assert.equal(host.service('shoal:one'), undefined, 'only config modules are reached by name')

    await host.stopModules()
    assert.deepEqual(journal.slice(6), ['stop:three', 'stop:two'])
    // what the modules left handled is removed for them; the built-in's stays until it stops
    assert.deepEqual(libp2p.getProtocols().filter(p => p.startsWith('/test/')), ['/test/one/1.0.0'])
    await host.stop()
    assert.deepEqual(journal.slice(8), ['stop:one'])
    await libp2p.stop()
    assert.equal(journal.length, 9, 'libp2p stopped nothing twice')
  })

  it('a protocol gets the capabilities it asks for, and one that asks for none gets none', async () => {
    const asking: ShoalServiceFactory<ShoalProtocolService, 'trading'> = Object.assign(recording('asking', journal, given), { capabilities: ['trading'] as const })
    host.add('shoal:asking', asking, shoal)
    await host.load('./plain.js', () => recording('plain', journal, given), {}, shoal)
    assert.equal(given.get('asking')?.trading, TRADING)
    assert.equal(given.get('plain')?.trading, undefined)
    assert.ok(!('trading' in (given.get('plain') as object)))
    assert.notEqual(given.get('asking')?.registrar, given.get('plain')?.registrar, 'each protocol has a registrar of its own')
    for (const components of given.values()) {
      assert.equal(components.peerId.toString(), libp2p.peerId.toString())
      assert.ok(Object.isFrozen(components.swarms))
    }
  })

  it('a module that asks for an unknown capability, or names them wrongly, is a ProtocolLoadError naming it', async () => {
    const unknown = (): ShoalServiceFactory => Object.assign(recording('x', journal, given), { capabilities: ['everything'] }) as unknown as ShoalServiceFactory
    await assert.rejects(host.load('./x.js', unknown, {}, shoal), isNamedError('ProtocolLoadError', /"\.\/x\.js" asks for an unknown capability "everything"/))
    const notArray = (): ShoalServiceFactory => Object.assign(recording('y', journal, given), { capabilities: 'trading' }) as unknown as ShoalServiceFactory
    await assert.rejects(host.load('./y.js', notArray, {}, shoal), isNamedError('ProtocolLoadError', /"\.\/y\.js" has "capabilities" that is not an array/))
    assert.deepEqual(journal, [], 'neither was built')
  })

  it('a module failing in its factory, its build or its start is a ProtocolLoadError naming it', async () => {
    await assert.rejects(host.load('./a.js', () => { throw new Error('no') }, {}, shoal), isNamedError('ProtocolLoadError', /"\.\/a\.js" threw in its factory: no/))
    await assert.rejects(host.load('./b.js', () => () => { throw new Error('nope') }, {}, shoal), isNamedError('ProtocolLoadError', /"\.\/b\.js" threw in its factory: nope/))
    await assert.rejects(host.load('./c.js', () => () => ({ start: () => { throw new Error('not today') } }), {}, shoal), isNamedError('ProtocolLoadError', /"\.\/c\.js" failed to start: not today/))
  })
})
