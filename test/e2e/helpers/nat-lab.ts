import { execFile, spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { NODE, SHOAL_JS, explain, lastLine } from './shoal-process.js'
import type { NodeStatus, RunResult } from './shoal-process.js'
import type { ChildProcess } from 'node:child_process'

/** The lab script (test/lab/nat.sh), from dist/test/e2e/helpers. */
const NAT_SH = fileURLToPath(new URL('../../../../test/lab/nat.sh', import.meta.url))
const run = promisify(execFile)

/** The lab's hosts: `relay` and `open` on the open segment, `a` and `b` each behind its own NAT. */
export type LabHost = 'relay' | 'open' | 'a' | 'b'

const HOST_IP: Record<LabHost, string> = { relay: '10.88.0.1', open: '10.88.0.2', a: '10.88.1.2', b: '10.88.2.2' }

/** Why the NAT lab cannot run here (one line), or undefined when it can: it needs root, ip and iptables. */
export async function natLabSkipReason (): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'the NAT lab needs Linux network namespaces'
  if (process.getuid?.() !== 0) return 'the NAT lab needs root (network namespaces and iptables)'
  for (const tool of ['ip', 'iptables', 'tc']) {
    try {
      await run('sh', ['-c', `command -v ${tool}`])
    } catch {
      return `the NAT lab needs ${tool} (apt-get install ${tool === 'ip' || tool === 'tc' ? 'iproute2' : tool})`
    }
  }
  return undefined
}

/** A NAT lab of namespaces named after this process, torn down by `down` (and at exit). */
export class NatLab {
  private readonly env: NodeJS.ProcessEnv
  private readonly nodes = new Set<LabNode>()

  private constructor (readonly prefix: string) {
    this.env = { ...process.env, NAT_LAB_PREFIX: prefix }
  }

  /** Build the lab; `rate` caps every host's upload (tc syntax, e.g. '40mbit'). */
  static async up (options: { rate?: string } = {}): Promise<NatLab> {
    const lab = new NatLab(`shoalnat${process.pid}`)
    await lab.script('down')
    await lab.script('up', ...(options.rate === undefined ? [] : ['--rate', options.rate]))
    process.once('exit', () => { spawn(NAT_SH, ['down'], { env: lab.env, stdio: 'ignore' }) })
    return lab
  }

  ip (host: LabHost): string {
    return HOST_IP[host]
  }

  /** Bytes the host has sent on its link: what a relay carried. */
  async sentBytes (host: LabHost): Promise<number> {
    const { stdout } = await run(NAT_SH, ['exec', host, 'cat', '/sys/class/net/eth0/statistics/tx_bytes'], { env: this.env })
    return Number(stdout.trim())
  }

  /** Run `shoal ARGS` inside `host` to completion. */
  async shoal (host: LabHost, args: string[], timeoutMs = 120_000): Promise<RunResult> {
    const child = this.spawn(host, args)
    let stdout = ''
    let stderr = ''
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const timer = setTimeout(() => { child.kill('SIGKILL') }, timeoutMs)
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(resolve => child.once('close', (c, s) => { resolve([c, s]) }))
    clearTimeout(timer)
    return { code, signal, stdout, stderr }
  }

  /** Start a node in `host` on a config in `dir` listening on the host's address, plus `extra` config. */
  async start (host: LabHost, dir: string, extra: Record<string, unknown> = {}): Promise<LabNode> {
    await mkdir(dir, { recursive: true })
    const configPath = join(dir, 'config.json')
    const config = { dataDir: join(dir, 'data'), listen: [`/ip4/${HOST_IP[host]}/tcp/4100`], api: { host: '127.0.0.1', port: 0 }, ...extra }
    await writeFile(configPath, JSON.stringify(config, null, 2))
    const node = new LabNode(this, host, configPath, this.spawn(host, ['start', '--config', configPath]))
    this.nodes.add(node)
    await node.waitReady()
    return node
  }

  async down (): Promise<void> {
    await Promise.all([...this.nodes].map(async n => { await n.stop() }))
    await this.script('down')
  }

  spawn (host: LabHost, args: string[]): ChildProcess {
    const env = { ...this.env, SHOAL_DEBUG: '', DEBUG: '' }
    return spawn(NAT_SH, ['exec', host, NODE, SHOAL_JS, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  }

  private async script (...args: string[]): Promise<void> {
    await run(NAT_SH, args, { env: this.env })
  }
}

/** A `shoal start` inside one host of the lab. */
export class LabNode {
  output = ''
  private readonly exited: Promise<unknown>

  constructor (readonly lab: NatLab, readonly host: LabHost, readonly configPath: string, private readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => { this.output += d })
    child.stderr?.setEncoding('utf8').on('data', (d: string) => { this.output += d })
    this.exited = new Promise(resolve => child.once('exit', resolve))
  }

  async shoal (...args: string[]): Promise<RunResult> {
    return await this.lab.shoal(this.host, [...args, '--config', this.configPath])
  }

  async status (...flags: string[]): Promise<NodeStatus & Record<string, unknown>> {
    const r = await this.shoal('status', '--json', ...flags)
    if (r.code !== 0) throw new Error(`status failed: ${explain(r)}`)
    return JSON.parse(r.stdout)
  }

  /** The node's first address, with /p2p/: what others bootstrap from. */
  async address (): Promise<string> {
    return (await this.status()).addresses.find(a => !a.includes('/p2p-circuit')) ?? ''
  }

  async add (path: string): Promise<string> {
    const r = await this.shoal('add', path)
    if (r.code !== 0) throw new Error(`add failed: ${explain(r)}`)
    return lastLine(r.stdout)
  }

  async waitReady (timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs
    let exited = false
    void this.exited.then(() => { exited = true })
    while (Date.now() < until && !exited) {
      if ((await this.shoal('status', '--json')).code === 0) return
      await new Promise(resolve => setTimeout(resolve, 300))
    }
    throw new Error(`node in ${this.host} did not start:\n${this.output}`)
  }

  /** Wait until `check` holds on the node's status, or fail naming `what`. */
  async waitFor (what: string, check: (s: NodeStatus & Record<string, unknown>) => boolean, timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs
    let last: unknown
    while (Date.now() < until) {
      last = await this.status('--peers')
      if (check(last as NodeStatus & Record<string, unknown>)) return
      await new Promise(resolve => setTimeout(resolve, 500))
    }
    throw new Error(`node in ${this.host}: no ${what} within ${timeoutMs} ms; last status ${JSON.stringify(last)}`)
  }

  async stop (): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, 10_000)
    await this.exited
    clearTimeout(timer)
  }
}

