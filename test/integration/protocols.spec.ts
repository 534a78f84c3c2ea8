/**
 * Protocol modules loaded from the config's `protocols` key: from a path relative to the
 * config file and from an installed package, started in order once libp2p exists and before
 * the node is ready, stopped in reverse; every way a module can fail stops the node with a
 * message naming it; two nodes speak a protocol loaded from their configs.
 */
import assert from 'node:assert/strict'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadConfig } from '../../src/config/load.js'
import { contentIdOf, createNode } from '../../src/index.js'
import { OBSERVING_MODULE, RECORDING_MODULE, writeModule, writePackage } from './helpers/protocol-fixtures.js'
import { MiB, makeFile, rejectsNamed, useTestContext, waitFor, waitForConnections } from './helpers/context.js'
import { readFile } from 'node:fs/promises'
import type { ShoalNode, SwarmsView } from '../../src/index.js'
import type { PublicApiModule } from './helpers/public-api-module.js'
import type { WhoHas } from '../../protocols/examples/who-has/index.js'

const WHO_HAS = fileURLToPath(new URL('../../protocols/examples/who-has/index.js', import.meta.url))
const PUBLIC_API_MODULE = fileURLToPath(new URL('./helpers/public-api-module.js', import.meta.url))
let keys = 0

describe('integration: protocol modules from the config', function () {
  this.timeout(60_000)
  const ctx = useTestContext('protocols')

  /** Write `dir/config.json` for a loopback node with `protocols`, and start a node on it through loadConfig. */
  async function startFromConfig (name: string, protocols: unknown[], extra: Record<string, unknown> = {}): Promise<ShoalNode> {
    const dir = join(ctx.dir, name)
    await writeModule(dir, '.keep', '')
    const path = join(dir, 'config.json')
    await writeFile(path, JSON.stringify({ dataDir: './data', listen: ['/ip4/127.0.0.1/tcp/0'], dht: { enabled: false }, protocols, ...extra }))
    const node = await createNode(await loadConfig(path))
    ctx.defer(async () => { await node.stop() })
    return node
  }

  function freshKey (): string {
    return `__shoalFixture${process.pid}_${keys++}`
  }

  function recorded (key: string): string[] {
    return (globalThis as Record<string, unknown>)[key] as string[] ?? []
  }

  it('loads modules from paths relative to the config file, in order, before the node is ready, and stops them in reverse', async () => {
    const key = freshKey()
    await writeModule(join(ctx.dir, 'a'), 'protocols/first.mjs', RECORDING_MODULE)
    await writeModule(join(ctx.dir, 'a'), 'second.mjs', RECORDING_MODULE)
    const node = await startFromConfig('a', [
      { module: './protocols/first.mjs', options: { key, name: 'one' } },
      { module: './second.mjs', options: { key, name: 'two' } }
    ])
    assert.deepEqual(recorded(key), ['factory:one', 'build:one:true', 'start:one', 'factory:two', 'build:two:true', 'start:two'])
    const status = node.status()
    assert.deepEqual(status.protocols.filter(p => !p.module.startsWith('shoal:')), [
      { module: './protocols/first.mjs', protocolIds: ['/fixture/one/1.0.0'] },
      { module: './second.mjs', protocolIds: ['/fixture/two/1.0.0'] }
    ])
    assert.deepEqual(status.protocols.filter(p => p.module.startsWith('shoal:')).map(p => p.module), ['shoal:piece-exchange', 'shoal:manifest-exchange', 'shoal:peer-exchange'])
    assert.equal(node.protocol<{ name: () => string }>('./second.mjs')?.name(), 'two')
    await node.stop()
    assert.deepEqual(recorded(key).slice(6), ['stop:two', 'stop:one'])
    // the module never unhandled its protocol: the node did it for it
    assert.ok(!node.libp2p.getProtocols().includes('/fixture/one/1.0.0'))
  })

  it('loads a module from an installed package name, resolved from the config folder', async () => {
    const key = freshKey()
    await writePackage(join(ctx.dir, 'pkg'), 'shoal-fixture-protocol', RECORDING_MODULE)
    const node = await startFromConfig('pkg', [{ module: 'shoal-fixture-protocol', options: { key, name: 'pkg' } }])
    assert.deepEqual(recorded(key), ['factory:pkg', 'build:pkg:true', 'start:pkg'])
    assert.ok(node.libp2p.getProtocols().includes('/fixture/pkg/1.0.0'))
    assert.deepEqual(node.status().protocols.at(-1), { module: 'shoal-fixture-protocol', protocolIds: ['/fixture/pkg/1.0.0'] })
  })

  describe('a module that cannot be used stops the node with a message naming it', () => {
    async function refused (name: string, protocols: unknown[]): Promise<Error> {
      const dir = join(ctx.dir, name)
      const path = join(dir, 'config.json')
      await writeModule(dir, 'config.json', JSON.stringify({ dataDir: './data', listen: ['/ip4/127.0.0.1/tcp/0'], dht: { enabled: false }, protocols }))
      return await rejectsNamed(createNode(await loadConfig(path)), 'ProtocolLoadError')
    }

    it('a path that does not exist', async () => {
      const err = await refused('missing', [{ module: './nowhere/proto.js' }])
      assert.match(err.message, /"\.\/nowhere\/proto\.js".*cannot be found/)
    })

    it('a package that is not installed', async () => {
      const err = await refused('nopkg', [{ module: 'shoal-no-such-protocol-package' }])
      assert.match(err.message, /"shoal-no-such-protocol-package".*cannot be found/)
    })

    it('a module that does not export a factory', async () => {
      await writeModule(join(ctx.dir, 'nofactory'), 'proto.mjs', 'export const something = 42\n')
      const err = await refused('nofactory', [{ module: './proto.mjs' }])
      assert.match(err.message, /"\.\/proto\.mjs" does not export a factory/)
    })

    it('a module that does not load (a syntax error)', async () => {
      await writeModule(join(ctx.dir, 'broken'), 'proto.mjs', 'export default function (\n')
      const err = await refused('broken', [{ module: './proto.mjs' }])
      assert.match(err.message, /"\.\/proto\.mjs" cannot be loaded/)
    })

    for (const failAt of ['factory', 'build', 'start']) {
      it(`a module that throws in its ${failAt === 'start' ? 'start()' : failAt === 'build' ? '(components) function' : 'factory'}`, async () => {
        const key = freshKey()
        await writeModule(join(ctx.dir, failAt), 'proto.mjs', RECORDING_MODULE)
        await writeModule(join(ctx.dir, failAt), 'fine.mjs', RECORDING_MODULE)
        const err = await refused(failAt, [{ module: './fine.mjs', options: { key, name: 'fine' } }, { module: './proto.mjs', options: { key, name: 'bad', failAt } }])
        assert.match(err.message, failAt === 'start' ? /"\.\/proto\.mjs" failed to start: start broke on purpose/ : /"\.\/proto\.mjs" threw in its factory: the \w+ broke on purpose/)
        // the module started before it was stopped again, as the node shut down
        assert.equal(recorded(key).at(-1), 'stop:fine')
      })
    }

    it('a factory that does not return a function', async () => {
      await writeModule(join(ctx.dir, 'notfn'), 'proto.mjs', 'export default () => 42\n')
      const err = await refused('notfn', [{ module: './proto.mjs' }])
      assert.match(err.message, /"\.\/proto\.mjs".*did not return a function/)
    })

    it('a module that asks for a capability there is no such thing as', async () => {
      await writeModule(join(ctx.dir, 'unknowncap'), 'proto.mjs', 'export default () => Object.assign(() => ({}), { capabilities: [\'root\'] })\n')
      const err = await refused('unknowncap', [{ module: './proto.mjs' }])
      assert.match(err.message, /"\.\/proto\.mjs" asks for an unknown capability "root"/)
    })
  })

  it('two nodes speak a protocol loaded from their configs (who-has)', async () => {
    const protocols = [{ module: WHO_HAS, options: { timeout: 5000 } }]
    const seeder = await startFromConfig('seeder', protocols)
    const leecher = await startFromConfig('leecher', protocols, { bootstrap: [seeder.addresses()[0]] })
    await waitForConnections(leecher, [seeder.peerId])
    const source = await writeModule(ctx.dir, 'content.txt', 'some content\n'.repeat(10_000))
    const { contentId, pieceCount } = await seeder.add(source)
    const whoHas = leecher.protocol<WhoHas>(WHO_HAS)
    assert.ok(whoHas !== undefined)
    assert.deepEqual(await whoHas.ask(seeder.libp2p.peerId, contentId), { pieces: pieceCount, of: pieceCount })
    assert.deepEqual(await whoHas.ask(seeder.libp2p.peerId, 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'), { pieces: 0, of: 0 })
    assert.deepEqual(seeder.status().protocols.at(-1), { module: WHO_HAS, protocolIds: ['/shoal-example/who-has/1.0.0'] })
  })

  it('who-has named by package, "shoal/examples/who-has", from a project where shoal is installed', async () => {
    // a user's project: its package.json, and node_modules/shoal linked to this package as an install makes it
    await writeModule(ctx.dir, 'package.json', JSON.stringify({ name: 'my-project', private: true }))
    await mkdir(join(ctx.dir, 'node_modules'))
    await symlink(fileURLToPath(new URL('../../../', import.meta.url)), join(ctx.dir, 'node_modules', 'shoal'), 'dir')
    const protocols = [{ module: 'shoal/examples/who-has', options: { timeout: 5000 } }]
    const seeder = await startFromConfig('seeder', protocols)
    const leecher = await startFromConfig('leecher', protocols, { bootstrap: [seeder.addresses()[0]] })
    await waitForConnections(leecher, [seeder.peerId])
    const { contentId, pieceCount } = await seeder.add(await writeModule(ctx.dir, 'content.txt', 'by package\n'.repeat(10_000)))
    const whoHas = leecher.protocol<WhoHas>('shoal/examples/who-has')
    assert.ok(whoHas !== undefined)
    assert.deepEqual(await whoHas.ask(seeder.libp2p.peerId, contentId), { pieces: pieceCount, of: pieceCount })
    assert.deepEqual(seeder.status().protocols.at(-1), { module: 'shoal/examples/who-has', protocolIds: ['/shoal-example/who-has/1.0.0'] })
  })

  it('the swarms view: typed events for peers and verified pieces, verified pieces readable, nothing writable', async () => {
    const key = freshKey()
    await writeModule(join(ctx.dir, 'obs'), 'observer.mjs', OBSERVING_MODULE)
    const protocols = [{ module: join(ctx.dir, 'obs', 'observer.mjs'), options: { key } }]
    const seeder = await startFromConfig('s', protocols)
    const leecher = await startFromConfig('l', protocols, { bootstrap: [seeder.addresses()[0]] })
    await waitForConnections(leecher, [seeder.peerId])
    const source = await makeFile(ctx.dir, 'viewed.bin', 2 * MiB + 3)
    const { contentId, pieceCount } = await seeder.add(source)
    const view = leecher.protocol<{ view: () => SwarmsView }>(protocols[0].module)?.view() as SwarmsView
    assert.equal(view.get(contentId), undefined)
    await leecher.get(contentId, { output: join(ctx.dir, 'out.bin'), discoveryTimeout: 20_000 })
    const events = (globalThis as Record<string, unknown>)[key] as Array<{ type: string, detail: { contentId: string, peerId?: string, index?: number } }>
    const ofType = (type: string): typeof events => events.filter(e => e.type === type && e.detail.contentId === contentId)
    assert.deepEqual(ofType('swarm:piece-verified').map(e => e.detail.index).sort((a, b) => (a ?? 0) - (b ?? 0)), Array.from({ length: pieceCount }, (_, i) => i))
    assert.equal(ofType('swarm:complete').length, 1)
    // both nodes run the module: the seeder's swarm opened seeding, the leecher's downloading, each before its other events
    assert.deepEqual(ofType('swarm:added').map(e => (e.detail as { state?: string }).state), ['seeding', 'downloading'])
    assert.equal(events.find(e => e.detail.contentId === contentId)?.type, 'swarm:added')
    assert.ok(events.indexOf(ofType('swarm:added')[1]) < events.indexOf(ofType('swarm:piece-verified')[0]), 'a piece was verified before the swarm was added')
    assert.ok(ofType('swarm:peer-joined').some(e => e.detail.peerId === seeder.peerId || e.detail.peerId === leecher.peerId))
    // both seeds now: the exchange between them closes, and each side sees the other leave
    await waitFor(() => ofType('swarm:peer-left').length >= 1, 'a peer-left event')
    const info = view.get(contentId)
    assert.equal(info?.state, 'seeding')
    assert.equal(info?.piecesHave, pieceCount)
    assert.equal(view.list().length, 1)
    const first = await view.readPiece(contentId, 0)
    const pieceSize = view.manifest(contentId)?.pieceSize as number
    assert.deepEqual(Buffer.from(first), (await readFile(source)).subarray(0, pieceSize))
    await rejectsNamed(view.readPiece('bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy', 0), 'UnknownContentError')
    await rejectsNamed(view.readPiece(contentId, pieceCount), 'PieceNotVerifiedError')
    // a copy: changing it changes nothing in the swarm
    view.manifest(contentId)?.pieceHashes.fill(0)
    assert.ok(view.manifest(contentId)?.pieceHashes.some(b => b !== 0), 'the swarm\'s manifest was changed through the view')
    assert.ok(Object.isFrozen(view))
    assert.deepEqual(Object.keys(view).filter(k => /write|set|add(?!Event)|store/i.test(k)), [])
  })

  it('a module written against the public API alone asks for trading, attaches a peer to a swarm and serves it; one that does not ask cannot', async () => {
    // the same file twice, named two ways: once asking for the capability, once not
    const trading = { module: PUBLIC_API_MODULE, options: { trading: true } }
    const readOnly = { module: pathToFileURL(PUBLIC_API_MODULE).href, options: {} }
    const node = await startFromConfig('public-api', [trading, readOnly])
    const source = await makeFile(ctx.dir, 'traded.bin', 2 * MiB + 3)
    const { contentId } = await node.add(source)
    const trader = node.protocol<PublicApiModule>(trading.module) as PublicApiModule
    const manifest = trader.manifestBytes(contentId)
    assert.ok(manifest !== undefined)
    assert.equal(contentIdOf(manifest).toString(), contentId)

    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const { handler, log } = trader.attach(contentId, peer)
    assert.ok(typeof handler === 'object', `the swarm refused the peer: ${String(handler)}`)
    assert.ok(trader.components().swarms.peers(contentId).includes(peer))
    await waitFor(() => log.sent.includes('unchoke'), 'the swarm to unchoke the attached peer')
    handler.onRequest(0)
    await waitFor(() => log.pieces.has(0), 'piece 0 sent down the attached wire')
    const pieceSize = trader.components().swarms.manifest(contentId)?.pieceSize as number
    assert.deepEqual(Buffer.from(log.pieces.get(0) as Uint8Array), (await readFile(source)).subarray(0, pieceSize))
    handler.onClose()
    await waitFor(() => !trader.components().swarms.peers(contentId).includes(peer), 'the peer to leave')

    const reader = node.protocol<PublicApiModule>(readOnly.module) as PublicApiModule
    assert.equal(reader.components().trading, undefined)
    assert.ok(!('trading' in reader.components()))
    assert.equal((reader.components().swarms as unknown as Record<string, unknown>).endpoint, undefined)
    assert.throws(() => reader.attach(contentId, peer), /no swarm to attach to/)
    assert.equal(reader.manifestBytes(contentId), undefined)
    assert.deepEqual(node.status().protocols.map(p => p.module), ['shoal:piece-exchange', 'shoal:manifest-exchange', 'shoal:peer-exchange', trading.module, readOnly.module])
  })
})
