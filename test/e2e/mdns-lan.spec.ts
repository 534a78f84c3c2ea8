/**
 * LAN discovery on a real segment (issue 16, item 6c): two hosts in network namespaces on one
 * bridge, each running `shoal start` on 0.0.0.0 with an empty bootstrap list, no DHT and
 * mDNS on. They find each other by mDNS over the bridge (no loopback involved), the leecher
 * gets the content by its id alone, and `status --json --peers` says the peer is `direct`.
 * Needs root: without it the test skips, saying why.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { LanPair } from './helpers/lan-pair.js'
import { NODE, SHOAL_JS, explain, lastLine, sha256, writeConfig } from './helpers/shoal-process.js'
import type { ChildProcess } from 'node:child_process'
import type { RunResult } from './helpers/shoal-process.js'

const LAN = { listen: ['/ip4/0.0.0.0/tcp/4100'], bootstrap: [], dht: { enabled: false }, mdns: { enabled: true } }

describe('e2e: mDNS between two hosts on one segment (network namespaces)', function () {
  this.timeout(180_000)
  const lan = new LanPair(`shm${process.pid % 10000}`, '10.79.16')
  const started: ChildProcess[] = []
  let dir: { path: string, cleanup: () => Promise<void> } | undefined

  before(async function () {
    const why = await LanPair.unavailable()
    if (why !== undefined) {
      console.log(`      (skipped: ${why})`)
      this.skip()
    }
    await lan.up()
  })
  after(async () => {
    for (const child of started) if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM')
    await Promise.all(started.map(async c => { if (c.exitCode === null && c.signalCode === null) await new Promise(resolve => c.once('exit', resolve)) }))
    await lan.down()
    await dir?.cleanup()
  })

  /** `shoal ARGS --config CONFIG` inside host i, to completion. */
  async function shoalIn (i: number, config: string, ...args: string[]): Promise<RunResult> {
    const [command, ...argv] = lan.wrap(i, [NODE, SHOAL_JS, ...args, '--config', config])
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOAL_HOME: join(config, '..'), DEBUG: '' } })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const timer = setTimeout(() => { if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL') }, 120_000)
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => child.once('close', (c, s) => { resolve([c, s]) }))
    clearTimeout(timer)
    return { code, signal, stdout, stderr }
  }

  /** `shoal start` inside host i; resolves once its status answers. */
  async function startIn (i: number, config: string): Promise<void> {
    const [command, ...argv] = lan.wrap(i, [NODE, SHOAL_JS, 'start', '--config', config])
    started.push(spawn(command, argv, { stdio: 'ignore', env: { ...process.env, SHOAL_HOME: join(config, '..'), DEBUG: '' } }))
    const deadline = Date.now() + 60_000
    while ((await shoalIn(i, config, 'status', '--json')).code !== 0) {
      if (Date.now() > deadline) assert.fail(`the node in host ${i} did not answer within 60 s`)
      await new Promise(resolve => setTimeout(resolve, 300))
    }
  }

  it('the hosts find each other with empty bootstrap lists; get by id alone; the peer is direct', async () => {
    dir = await tempDir('shoal-e2e-mdns-lan-')
    const seeder = await writeConfig(join(dir.path, 'seeder'), LAN)
    const leecher = await writeConfig(join(dir.path, 'leecher'), LAN)
    await startIn(0, seeder)
    await startIn(1, leecher)
    const source = join(dir.path, 'file.bin')
    await randomFile(source, 3 * 1024 * 1024)
    const added = await shoalIn(0, seeder, 'add', source)
    assert.equal(added.code, 0, explain(added))
    const contentId = lastLine(added.stdout)
    const output = join(dir.path, 'out.bin')
    const got = await shoalIn(1, leecher, 'get', contentId, '--output', output, '--timeout', '60s')
    assert.equal(got.code, 0, explain(got))
    assert.equal(await sha256(output), await sha256(source))
    const status = JSON.parse((await shoalIn(0, seeder, 'status', '--json', '--peers')).stdout) as { reachability: string, swarms: Array<{ peerDetails?: Array<{ connection?: string }> }> }
    assert.equal(status.reachability, 'unknown', 'AutoNAT tests no private address')
    const kinds = status.swarms.flatMap(w => w.peerDetails ?? []).map(p => p.connection)
    assert.ok(kinds.every(k => k === 'direct' || k === undefined), kinds.join(', '))
  })
})
