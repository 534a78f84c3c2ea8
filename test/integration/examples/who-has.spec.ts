/**
 * The who-has example: two Shoal nodes ask each other, and a plain js-libp2p node (no Shoal
 * in it) speaks the protocol through the id the module registered.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { PROTOCOL } from '../../../protocols/examples/who-has/index.js'
import { startTestNodes } from '../../../src/testing/index.js'
import { tempDir } from '../../helpers/temp.js'
import { MiB, makeFile } from '../helpers/context.js'
import { plainLibp2p } from '../helpers/plain-libp2p.js'
import type { WhoHas } from '../../../protocols/examples/who-has/index.js'
import type { TestNetwork } from '../../../src/testing/index.js'
import type { Libp2p } from '@libp2p/interface'

const WHO_HAS = fileURLToPath(new URL('../../../protocols/examples/who-has/index.js', import.meta.url))

describe('examples: who-has', function () {
  this.timeout(60_000)
  let net: TestNetwork
  let plain: Libp2p | undefined
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => {
    dir = await tempDir('shoal-it-who-has-')
    net = await startTestNodes({ count: 2, protocols: [{ module: WHO_HAS }] })
  })
  afterEach(async () => {
    await plain?.stop()
    plain = undefined
    await net.stop()
    await dir.cleanup()
  })

  it('a node asks another how much of a content it has', async () => {
    const [seeder, asker] = net.nodes
    const { contentId, pieceCount } = await seeder.add(await makeFile(dir.path, 'a.bin', 3 * MiB))
    const whoHas = asker.protocol<WhoHas>(WHO_HAS) as WhoHas
    assert.deepEqual(await whoHas.ask(seeder.libp2p.peerId, contentId), { pieces: pieceCount, of: pieceCount })
    assert.deepEqual(await whoHas.ask(seeder.libp2p.peerId, 'not a content id'), { pieces: 0, of: 0 })
  })

  it('a plain js-libp2p node speaks it through the protocol id the module registered', async () => {
    const [seeder] = net.nodes
    const { contentId, pieceCount } = await seeder.add(await makeFile(dir.path, 'b.bin', MiB))
    const registered = seeder.status().protocols.find(p => p.module === WHO_HAS)?.protocolIds
    assert.deepEqual(registered, [PROTOCOL])
    plain = await plainLibp2p()
    const stream = await plain.dialProtocol(multiaddr(seeder.addresses()[0]), registered[0])
    const lp = lpStream(stream)
    await lp.write(new TextEncoder().encode(contentId))
    const answer = JSON.parse(new TextDecoder().decode((await lp.read()).subarray())) as unknown
    assert.deepEqual(answer, { pieces: pieceCount, of: pieceCount })
    await stream.close()
  })

  it('refuses a request over its size limit', async () => {
    const [seeder] = net.nodes
    plain = await plainLibp2p()
    const stream = await plain.dialProtocol(multiaddr(seeder.addresses()[0]), PROTOCOL)
    const lp = lpStream(stream)
    await lp.write(new Uint8Array(10_000)).catch(() => {})
    await assert.rejects(lp.read({ signal: AbortSignal.timeout(5000) }))
  })
})
