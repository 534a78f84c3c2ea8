import assert from 'node:assert/strict'
import { join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { NatLab, natLabSkipReason } from './helpers/nat-lab.js'
import { explain, sha256 } from './helpers/shoal-process.js'
import type { LabHost, LabNode } from './helpers/nat-lab.js'

const MiB = 1024 * 1024
/** Content size; SHOAL_NAT_LAB_MIB sets another for figures. */
const SIZE = Number(process.env.SHOAL_NAT_LAB_MIB ?? 16) * MiB
/** Every host's upload cap: the relayed and the direct transfer are measured against it ("none": uncapped, for figures). */
const RATE = process.env.SHOAL_NAT_LAB_RATE ?? '40mbit'

/** A peer's `connection` in `status --peers` (added by issue 16's reach-lan part), or what its absence leaves unknown. */
function connectionOf (status: Record<string, unknown>, peerId: string): string | undefined {
  const swarms = status.swarms as Array<{ peerDetails?: Array<{ peerId: string, connection?: string }> }>
  return swarms.flatMap(s => s.peerDetails ?? []).find(p => p.peerId === peerId)?.connection
}

/**
 * Reaching peers behind NATs (issue 16): real `shoal` processes in network namespaces
 * (test/lab/nat.sh), two hosts each behind its own masquerading router that drops inbound
 * connections, a relay with the bootstrap role on the open segment. Needs root.
 */
describe('e2e: NAT lab (relay, dial back, private swarm)', function () {
  this.timeout(240_000)
  let lab: NatLab
  let dir: { path: string, cleanup: () => Promise<void> }
  let nodes: LabNode[] = []

  before(async function () {
    const reason = await natLabSkipReason()
    if (reason !== undefined) {
      console.log(`      skipped: ${reason}`)
      this.skip()
    }
    lab = await NatLab.up(RATE === 'none' ? {} : { rate: RATE })
    dir = await tempDir('shoal-nat-')
  })

  afterEach(async () => {
    await Promise.all(nodes.map(async n => { await n.stop() }))
    nodes = []
  })

  after(async () => {
    await lab?.down()
    await dir?.cleanup()
  })

  async function start (host: LabHost, name: string, extra: Record<string, unknown> = {}): Promise<LabNode> {
    const node = await lab.start(host, join(dir.path, name), extra)
    nodes.push(node)
    return node
  }

  /** A relay on the open segment and two nodes bootstrapping from it; `extra` for all three. */
  async function swarm (scenario: string, seederHost: LabHost, extra: Record<string, unknown> = {}, relayConfig: Record<string, unknown> = {}): Promise<{ relay: LabNode, seeder: LabNode, leecher: LabNode }> {
    const relay = await start('relay', `${scenario}-relay`, { ...extra, relay: { server: true, ...relayConfig } })
    const bootstrap = [await relay.address()]
    const [seeder, leecher] = await Promise.all([
      start(seederHost, `${scenario}-seeder`, { ...extra, bootstrap }),
      start('b', `${scenario}-leecher`, { ...extra, bootstrap })
    ])
    return { relay, seeder, leecher }
  }

  /** The leecher gets the seeder's content; returns the seconds the `get` took and the relay's bytes sent meanwhile. */
  async function transfer (scenario: string, seeder: LabNode, leecher: LabNode): Promise<{ seconds: number, relayed: number }> {
    const source = join(dir.path, `${scenario}.bin`)
    await randomFile(source, SIZE)
    const cid = await seeder.add(source)
    const output = join(dir.path, `${scenario}-out.bin`)
    const relaySent = await lab.sentBytes('relay')
    const started = performance.now()
    const r = await leecher.shoal('get', cid, '--output', output, '--timeout', '180s')
    const seconds = (performance.now() - started) / 1000
    assert.equal(r.code, 0, `get failed: ${explain(r)}`)
    assert.equal(await sha256(output), await sha256(source), 'the content differs')
    return { seconds, relayed: await lab.sentBytes('relay') - relaySent }
  }

  function report (what: string, t: { seconds: number, relayed: number }): void {
    console.log(`      ${what}: ${SIZE / MiB} MiB in ${t.seconds.toFixed(1)} s (${(SIZE / MiB / t.seconds).toFixed(2)} MiB/s, caps ${RATE}), relay sent ${(t.relayed / MiB).toFixed(1)} MiB`)
  }

  it('(a) seeder and leecher behind two NATs: the leecher gets the content byte-identical through the relay', async () => {
    const { seeder, leecher } = await swarm('a', 'a')
    // a node behind a NAT reserves a slot on its bootstrap relay and advertises the relayed address
    await seeder.waitFor('relayed address', s => s.addresses.some(a => a.includes('/p2p-circuit')))
    const t = await transfer('a', seeder, leecher)
    report('relayed (both behind NATs)', t)
    assert.ok(t.relayed >= SIZE, `the relay sent ${t.relayed} bytes, less than the content: not relayed?`)
    const seederId = (await seeder.status()).peerId
    const connection = connectionOf(await leecher.status('--peers'), seederId)
    if (connection !== undefined) assert.equal(connection, 'relayed')
  })

  it('(a) through a relay that limits its connections (libp2p marks them limited): piece and manifest exchange still run on them', async () => {
    const { seeder, leecher } = await swarm('a2', 'a', {}, { dataLimit: 4 * SIZE, durationLimit: '10m' })
    await seeder.waitFor('relayed address', s => s.addresses.some(a => a.includes('/p2p-circuit')))
    const t = await transfer('a2', seeder, leecher)
    report('relayed through a limited relay', t)
    assert.ok(t.relayed >= SIZE, `the relay sent ${t.relayed} bytes, less than the content: not relayed?`)
  })

  it('(b) seeder on the open segment, leecher behind a NAT: the connection is direct', async () => {
    const { seeder, leecher } = await swarm('b', 'open')
    const t = await transfer('b', seeder, leecher)
    report('direct (seeder on the open segment)', t)
    assert.ok(t.relayed < SIZE / 4, `the relay sent ${t.relayed} bytes: the transfer went through it`)
    const seederId = (await seeder.status()).peerId
    const connection = connectionOf(await leecher.status('--peers'), seederId)
    if (connection !== undefined) assert.equal(connection, 'direct')
  })

  it('(b) a public peer that reaches a NATed one through the relay is dialled back: the transfer goes direct', async () => {
    const { seeder, leecher } = await swarm('b2', 'open')
    await leecher.waitFor('relayed address', s => s.addresses.some(a => a.includes('/p2p-circuit')))
    const relayed = (await leecher.status()).addresses.find(a => a.includes('/p2p-circuit')) ?? ''
    // the public seeder can reach the leecher only through its relay...
    const c = await seeder.shoal('connect', relayed)
    assert.equal(c.code, 0, explain(c))
    // ...and the leecher dials back the seeder's own address
    const t = await transfer('b2', seeder, leecher)
    report('dialled back (seeder on the open segment, first reached through the relay)', t)
    assert.ok(t.relayed < SIZE / 4, `the relay sent ${t.relayed} bytes: the transfer went through it`)
    const connection = connectionOf(await leecher.status('--peers'), (await seeder.status()).peerId)
    if (connection !== undefined) assert.equal(connection, 'direct')
  })

  it('(d) a private swarm through its own relay: behind two NATs, with the swarm key', async () => {
    const keyPath = join(dir.path, 'swarm.key')
    const k = await lab.shoal('relay', ['swarm-key', 'generate', '--output', keyPath])
    assert.equal(k.code, 0, explain(k))
    const { seeder, leecher } = await swarm('d', 'a', { swarmKey: keyPath })
    await seeder.waitFor('relayed address', s => s.addresses.some(a => a.includes('/p2p-circuit')))
    const t = await transfer('d', seeder, leecher)
    report('relayed in a private swarm', t)
    assert.ok(t.relayed >= SIZE, `the relay sent ${t.relayed} bytes, less than the content: not relayed?`)
  })
})
