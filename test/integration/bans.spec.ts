/**
 * Bans are by peer id, through the libp2p connection gater, kept in dataDir/bans.json across
 * restarts, and expire after limits.banDuration.
 */
import assert from 'node:assert/strict'
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { HostilePeer, floodStreams } from '../kit/hostile/index.js'
import { useTestContext, waitFor } from './helpers/context.js'
import type { ShoalNode } from '../../src/index.js'

const IDENTIFY = '/ipfs/id/1.0.0'

describe('integration: bans across restarts', function () {
  const ctx = useTestContext('bans')

  async function startHostile (): Promise<HostilePeer> {
    const peer = await HostilePeer.start({})
    ctx.defer(async () => { await peer.stop() })
    return peer
  }

  /** The hostile peer opens a piece-exchange stream with garbage in place of a handshake: banned. */
  async function getBanned (node: ShoalNode, hostile: HostilePeer): Promise<void> {
    await floodStreams(hostile, TestNodes.address(node), { streams: 1, payload: 'garbage', concurrency: 1 }).catch(() => [])
    await waitFor(() => node.status().bans.some(b => b.peerId === hostile.peerId), 'the node bans the peer')
    await waitFor(() => node.libp2p.getConnections(hostile.libp2p.peerId).length === 0, 'the node hangs up on it')
  }

  async function assertRefused (node: ShoalNode, hostile: HostilePeer): Promise<void> {
    await assert.rejects(hostile.libp2p.dialProtocol(node.libp2p.getMultiaddrs()[0], IDENTIFY), 'a banned peer could open a stream')
    assert.equal(node.libp2p.getConnections(hostile.libp2p.peerId).length, 0)
  }

  it('a ban survives a restart (same dataDir), with its reason, in bans.json (mode 0600)', async function () {
    this.timeout(60_000)
    const hostile = await startHostile()
    const first = await ctx.nodes.start('node')
    await getBanned(first, hostile)
    const ban = first.status().bans[0]
    assert.match(ban.reason, /undecodable|frame|handshake|malformed/)
    await first.stop()
    const file = join(first.config.dataDir, 'bans.json')
    assert.equal((await stat(file)).mode & 0o777, 0o600)
    assert.equal(JSON.parse(await readFile(file, 'utf8')).bans[0].peerId, hostile.peerId)

    const second = await ctx.nodes.start('node')
    assert.equal(second.peerId, first.peerId)
    assert.deepEqual(second.status().bans, [ban])
    await assertRefused(second, hostile)
    // and the node does not dial it
    await assert.rejects(second.libp2p.dial(hostile.libp2p.getMultiaddrs()[0]))
  })

  it('a ban expires after limits.banDuration, also when it was loaded at a restart', async function () {
    this.timeout(60_000)
    const banDuration = 3000
    const hostile = await startHostile()
    const first = await ctx.nodes.start('node', { limits: { banDuration } })
    await getBanned(first, hostile)
    const { until } = first.status().bans[0]
    await first.stop()

    const second = await ctx.nodes.start('node', { limits: { banDuration } })
    if (Date.now() < until - 500) await assertRefused(second, hostile)
    await waitFor(() => Date.now() > until, 'the ban runs out', banDuration + 1000)
    assert.deepEqual(second.status().bans, [])
    await hostile.libp2p.dialProtocol(second.libp2p.getMultiaddrs()[0], IDENTIFY)
    await waitFor(() => second.libp2p.getConnections(hostile.libp2p.peerId).length > 0, 'the peer can connect again')
  })
})
