/**
 * LAN discovery (issue 16, item 1): nodes with mDNS on and empty bootstrap lists find each
 * other on this machine and trade; in a private swarm a node without the key is found but
 * never connects; the announcement holds libp2p's fields only (a name, `dnsaddr=` addresses).
 * Needs multicast looped back on this machine: without it the tests skip, saying so.
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import multicastDNS from 'multicast-dns'
import { generateSwarmKey } from '../../src/index.js'
import { multicastLoopsBack } from '../helpers/multicast.js'
import { MiB, fetchAndVerify, makeFile, useTestContext, waitFor, waitForConnections } from './helpers/context.js'

const LAN = { bootstrap: [], dht: { enabled: false }, mdns: { enabled: true } }

describe('integration: mDNS (mdns.enabled)', function () {
  this.timeout(60_000)
  const ctx = useTestContext('mdns')

  before(async function () {
    if (!(await multicastLoopsBack())) {
      console.log('      (skipped: multicast does not loop back on this machine, so nodes here cannot find each other by mDNS)')
      this.skip()
    }
  })

  it('two nodes with empty bootstrap lists and no DHT find each other and trade', async () => {
    const seeder = await ctx.nodes.start('seeder', LAN)
    const leecher = await ctx.nodes.start('leecher', LAN)
    await waitForConnections(leecher, [seeder.peerId], 30_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'file.bin', 2 * MiB)
    const added = await seeder.add(source)
    await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'file.bin'), source)
  })

  it('mdns.enabled false: nodes stay apart', async () => {
    const off = { ...LAN, mdns: { enabled: false } }
    const a = await ctx.nodes.start('a', off)
    const b = await ctx.nodes.start('b', LAN)
    await new Promise(resolve => setTimeout(resolve, 12_000)) // past mDNS's 10 s query interval
    // between the two (b may meet nodes of another test file running beside this one: npm test runs two at a time)
    assert.equal(a.libp2p.getConnections(b.libp2p.peerId).length, 0)
    assert.equal(b.libp2p.getConnections(a.libp2p.peerId).length, 0)
  })

  it('in a private swarm a node without the key is found but never connects; members connect', async () => {
    const keyPath = join(ctx.dir, 'swarm.key')
    await writeFile(keyPath, generateSwarmKey(), { mode: 0o600 })
    const member = await ctx.nodes.start('member', { ...LAN, swarmKey: keyPath })
    const outsider = await ctx.nodes.start('outsider', LAN)
    const other = await ctx.nodes.start('other-member', { ...LAN, swarmKey: keyPath })
    await waitForConnections(other, [member.peerId], 30_000)
    await waitFor(async () => await outsider.libp2p.peerStore.has(member.libp2p.peerId), 'the outsider finds the member by mDNS', 30_000)
    await new Promise(resolve => setTimeout(resolve, 3000)) // its dial has had time to fail
    // to the members (it may meet keyless nodes of another test file running beside this one)
    for (const m of [member, other]) {
      assert.equal(outsider.libp2p.getConnections(m.libp2p.peerId).length, 0, 'the outsider has no connection to a member')
      assert.equal(m.libp2p.getConnections(outsider.libp2p.peerId).length, 0, 'a member has no connection to the outsider')
    }
  })

  it('the announcement is libp2p\'s: a PTR to a random name and dnsaddr= addresses, nothing about the swarm', async () => {
    const keyPath = join(ctx.dir, 'swarm.key')
    await writeFile(keyPath, generateSwarmKey(), { mode: 0o600 })
    const node = await ctx.nodes.start('member', { ...LAN, swarmKey: keyPath })
    const fingerprint = node.status().swarmKey ?? ''
    const answers = await askLan()
    const ours = answers.filter(a => a.type === 'TXT' && String(a.data).includes(node.peerId))
    assert.ok(ours.length > 0, 'the node answers with its addresses')
    for (const answer of answers) {
      const text = Array.isArray(answer.data) ? answer.data.map(String).join('') : String(answer.data)
      assert.ok(answer.type === 'PTR' || (answer.type === 'TXT' && text.startsWith('dnsaddr=/')), `${answer.type} ${text}`)
      assert.ok(fingerprint === '' || !text.includes(fingerprint), 'the swarm key fingerprint is not announced')
      assert.doesNotMatch(text, /shoal|bafk/i)
    }
  })
})

/** Ask for libp2p's mDNS service for a few seconds; every answer heard. */
async function askLan (): Promise<Array<{ type: string, data: unknown }>> {
  const mdns = multicastDNS()
  const answers: Array<{ type: string, data: unknown }> = []
  mdns.on('response', (response) => { answers.push(...response.answers.map(a => ({ type: a.type, data: (a as { data?: unknown }).data }))) })
  mdns.on('error', () => {})
  mdns.query({ questions: [{ name: '_p2p._udp.local', type: 'PTR' }] })
  await new Promise(resolve => setTimeout(resolve, 3000))
  mdns.destroy()
  return answers
}
