import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ChildProcess } from 'node:child_process'
import type { NodeStatus } from '../src/node/shoal-node.js'

/** The built CLI, run with the same (pinned) Node as the bench. */
const CLI = fileURLToPath(new URL('../src/cli/index.js', import.meta.url))
/** bench/api-get.ts: one get through a node's API, issued when told. */
const API_GET = fileURLToPath(new URL('./api-get.js', import.meta.url))
/** The node flags on the CLI's `#!` line (`npx shoal` runs with them; so do we). */
const CLI_FLAGS = readFileSync(CLI, 'utf8').split('\n', 1)[0].replace(/^#!.*?\bnode\b/, '').trim().split(/\s+/).filter(f => f !== '')

// Every child this process starts, killed by pid when this process exits, however it exits.
const live = new Set<ChildProcess>()
const exitHooks: Array<() => void> = []

process.on('exit', () => {
  for (const child of live) {
    try { process.kill(child.pid as number, 'SIGKILL') } catch {}
  }
  for (const hook of exitHooks) {
    try { hook() } catch {}
  }
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130))

/** Run `hook` (synchronously) when this process exits. */
export function atExit (hook: () => void): void {
  exitHooks.push(hook)
}

/**
 * Spawn `node <args>` with the bench's own Node; the child is killed if we exit first. Its
 * stdin is a pipe from us that ends when we die, even by SIGKILL: see exitWithParent().
 */
export function spawnNode (args: string[], options: { stdout?: 'pipe' | 'inherit', wrap?: string[] } = {}): ChildProcess {
  // a wrapper such as `ip netns exec NS` execs node in place: the pid stays node's
  const [command, ...prefix] = [...(options.wrap ?? []), process.execPath]
  const child = spawn(command, [...prefix, ...args], { stdio: ['pipe', options.stdout ?? 'pipe', 'pipe'] })
  live.add(child)
  child.once('exit', () => live.delete(child))
  return child
}

/** For the bench's own child scripts: exit when the parent is gone (our stdin ends). */
export function exitWithParent (): void {
  process.stdin.once('end', () => process.exit(1))
  process.stdin.resume()
}

/** Resolves with the child's exit code once it has exited. */
export async function exited (child: ChildProcess): Promise<number> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? 1
  return await new Promise(resolve => child.once('exit', code => { resolve(code ?? 1) }))
}

/** Collect everything a stream carries, as text. */
function collect (stream: NodeJS.ReadableStream | null): { text: () => string } {
  let text = ''
  stream?.setEncoding('utf8')
  stream?.on('data', (chunk: string) => { text += chunk })
  return { text: () => text }
}

/** Run `node <args>` to completion; resolves with stdout, rejects with stderr on a non-zero exit. */
export async function runNode (args: string[], wrap?: string[]): Promise<string> {
  const child = spawnNode(args, { wrap })
  const out = collect(child.stdout)
  const err = collect(child.stderr)
  const code = await exited(child)
  if (code !== 0) throw new Error(`node ${args.join(' ')} exited ${code}: ${err.text().trim()}`)
  return out.text()
}

/** Stop a child by its pid: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopChild (child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
  await exited(child)
  clearTimeout(timer)
}

export interface ShoalProcessOptions {
  bootstrap?: string[]
  /** @default ['/ip4/127.0.0.1/tcp/0'] */
  listen?: string[]
  /** More config keys (limits, timeouts, …). */
  config?: Record<string, unknown>
  /** A command prefix the node and its CLI calls run under, e.g. `ip netns exec NS`. */
  wrap?: string[]
}

/** One real `shoal start` process with its own config and data folder. */
export class ShoalProcess {
  private constructor (
    readonly name: string,
    readonly configPath: string,
    private readonly child: ChildProcess,
    private readonly wrap?: string[]
  ) {}

  get pid (): number {
    return this.child.pid as number
  }

  /** Write a config in `dir` and start a node on it; resolves once it prints "ready". */
  static async start (name: string, dir: string, options: ShoalProcessOptions = {}): Promise<ShoalProcess> {
    const configPath = join(dir, 'config.json')
    await writeFile(configPath, JSON.stringify({
      dataDir: './data',
      listen: options.listen ?? ['/ip4/127.0.0.1/tcp/0'],
      bootstrap: options.bootstrap ?? [],
      api: { host: '127.0.0.1', port: 0 },
      // the topology is the benchmark's (its bootstrap lists), not mDNS's all-to-all
      mdns: { enabled: false },
      ...options.config,
      ...(process.env.BENCH_NODE_CONFIG !== undefined ? JSON.parse(process.env.BENCH_NODE_CONFIG) : {})
    }, null, 2))
    const child = spawnNode([...CLI_FLAGS, CLI, 'start', '--config', configPath], { wrap: options.wrap })
    const err = collect(child.stderr)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { fail(new Error('did not print "ready" within 30 s')) }, 30_000)
      const fail = (e: Error): void => {
        clearTimeout(timer)
        child.kill('SIGKILL')
        reject(new Error(`shoal node ${name}: ${e.message}: ${err.text().trim()}`))
      }
      let out = ''
      child.stdout?.setEncoding('utf8')
      child.stdout?.on('data', (chunk: string) => {
        out += chunk
        if (/^ready$/m.test(out)) {
          clearTimeout(timer)
          child.removeAllListeners('exit')
          resolve()
        }
      })
      child.once('exit', code => { fail(new Error(`exited ${code} before it was ready`)) })
    })
    child.stdout?.resume()
    return new ShoalProcess(name, configPath, child, options.wrap)
  }

  /** Run a CLI command against this node; resolves with its stdout. */
  async cli (...args: string[]): Promise<string> {
    return await runNode([...CLI_FLAGS, CLI, ...args, '--config', this.configPath], this.wrap)
  }

  async status (): Promise<NodeStatus> {
    return JSON.parse(await this.cli('status', '--json')) as NodeStatus
  }

  /** The node's data folder, where its API's URL and token are (`dataDir` is ./data). */
  get dataDir (): string {
    return join(dirname(this.configPath), 'data')
  }

  /**
   * A get through this node's API from a process of its own (in the node's namespace when
   * wrapped), loaded and waiting: `go()` issues it, `done` resolves when it has completed.
   * Many gets issued at once start together, with no CLI start-up among them.
   */
  async apiGet (contentId: string, output: string): Promise<{ go: () => void, done: Promise<void> }> {
    const child = spawnNode([API_GET, this.dataDir, contentId, output], { wrap: this.wrap })
    const out = collect(child.stdout)
    const err = collect(child.stderr)
    const code = exited(child)
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', () => { if (out.text().includes('waiting\n')) resolve() })
      void code.then(c => { reject(new Error(`api-get exited ${c} before it was ready: ${err.text().trim()}`)) })
    })
    const done = code.then(c => {
      if (c !== 0) throw new Error(`get ${contentId} on ${this.name} failed (${c}): ${err.text().trim()}`)
    })
    return { go: () => { child.stdin?.write('go\n') }, done }
  }

  /** Wait until the node has at least one connection (its bootstrap dial is done). */
  async waitConnected (timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while ((await this.status()).connections === 0) {
      if (Date.now() > deadline) throw new Error(`shoal node ${this.name}: no connection after ${timeoutMs} ms`)
      await new Promise(resolve => setTimeout(resolve, 250))
    }
  }

  async stop (): Promise<void> {
    await stopChild(this.child)
  }
}
