import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, mkdtempSync, rmSync } from 'node:fs'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lateness, processCpuMs, recordStart } from './start-watch.js'
import type { StartMeasure } from './start-watch.js'
import type { ChildProcess } from 'node:child_process'

/** The built CLI's bin; tests run from dist/test/e2e/helpers, the bin is dist/src/cli/bin.js. */
export const SHOAL_JS = fileURLToPath(new URL('../../../src/cli/bin.js', import.meta.url))

/**
 * The Node that runs the CLI: this one under `npm test` (the pinned Node 24); when mocha was
 * started by an older system Node (libp2p 3 needs >= 22), the package's pinned one.
 */
export const NODE = Number(process.versions.node.split('.')[0]) >= 22
  ? process.execPath
  : fileURLToPath(new URL('../../../../node_modules/.bin/node', import.meta.url))

/** A line of a Node.js stack trace, e.g. "    at foo (file.js:1:2)". */
export const STACK_LINE = /^\s+at .*:\d+:\d+/m

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface RunOptions {
  cwd?: string
  /** Kill the command (SIGKILL, by pid) when it runs longer; default 60 s. */
  timeoutMs?: number
  /** More environment variables (undefined removes one), e.g. SHOAL_HOME. */
  env?: Record<string, string | undefined>
}

let testHome: string | undefined
/**
 * The SHOAL_HOME every spawned `shoal` gets unless a test gives its own: an empty temporary
 * folder, so that a command without --config never reads or writes the real ~/.shoal.
 */
function defaultTestHome (): string {
  if (testHome === undefined) {
    const home = mkdtempSync(join(tmpdir(), 'shoal-e2e-home-'))
    process.once('exit', () => { rmSync(home, { recursive: true, force: true }) })
    testHome = home
  }
  return testHome
}

async function sleep (ms: number): Promise<void> {
  await new Promise(resolve => setTimeout(resolve, ms))
}

/** Every child process a test started and has not seen exit yet, so `killAll` can end them. */
const running = new Set<ChildProcess>()

function track (child: ChildProcess): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
  running.add(child)
  return new Promise(resolve => {
    child.once('exit', (code, signal) => { running.delete(child); resolve({ code, signal }) })
  })
}

/**
 * `niceness` > 0 starts the process at a lower CPU priority (through `nice`, so every thread
 * of it inherits the priority).
 */
function spawnShoal (args: string[], cwd: string | undefined, niceness = 0, env: Record<string, string | undefined> = {}): ChildProcess {
  const [command, argv] = niceness > 0 ? ['nice', ['-n', String(niceness), NODE, SHOAL_JS, ...args]] : [NODE, [SHOAL_JS, ...args]]
  const childEnv: Record<string, string | undefined> = { ...process.env, SHOAL_DEBUG: '', DEBUG: '', SHOAL_HOME: defaultTestHome(), ...env }
  for (const [name, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[name]
  return spawn(command, argv, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv })
}

/** Run one `shoal` command to completion, capturing its output and exit code. */
export async function runShoal (args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const child = spawnShoal(args, opts.cwd, 0, opts.env)
  let stdout = ''
  let stderr = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => { stdout += d })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  const exited = track(child)
  const timer = setTimeout(() => { if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL') }, opts.timeoutMs ?? 60_000)
  // 'exit' may come before the pipes are drained: wait for 'close' too
  const closed = new Promise(resolve => child.once('close', resolve))
  const { code, signal } = await exited
  await closed
  clearTimeout(timer)
  return { code, signal, stdout, stderr }
}

/** The last non-empty line of a command's stdout (where `add` prints the content id). */
export function lastLine (text: string): string {
  return text.trim().split('\n').at(-1)?.trim() ?? ''
}

/** A readable description of a command's result, for assertion messages. */
export function explain (r: RunResult): string {
  return `exit ${r.code}${r.signal === null ? '' : ` (${r.signal})`}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`
}

/** Write `config.json` in `dir`: a loopback node with any free ports, plus `extra` fields. */
export async function writeConfig (dir: string, extra: Record<string, unknown> = {}): Promise<string> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, 'config.json')
  const config = {
    dataDir: join(dir, 'data'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    bootstrap: [],
    api: { host: '127.0.0.1', port: 0 },
    // isolated unless a test introduces them: mDNS would connect every node on this machine
    mdns: { enabled: false },
    ...extra
  }
  await writeFile(path, JSON.stringify(config, null, 2))
  return path
}

export interface SwarmStatus {
  contentId: string
  name: string
  size: number
  pieceCount: number
  piecesHave: number
  state: string
  peers: number
  uploaded: number
  downloaded: number
}

export interface NodeStatus {
  peerId: string
  addresses: string[]
  swarms: SwarmStatus[]
}

export interface StartOptions {
  /** Run the node at this lower CPU priority (a nice value, 1-19); default 0, the test's own. */
  niceness?: number
  /** More arguments for `shoal start` (e.g. --bootstrap ADDR). */
  args?: string[]
  /** Start the home node: `shoal start` without --config, with SHOAL_HOME set to this folder. */
  home?: string
  /** NODE_OPTIONS for the node's process (e.g. a V8 heap cap). */
  nodeOptions?: string
}

/** A `shoal start` child process on a config file in its own folder. */
export class ShoalProcess {
  stdout = ''
  stderr = ''
  readonly exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  readonly dataDir: string
  /** What this node's start took; set once it answered `status`. */
  startup?: StartMeasure
  private readonly child: ChildProcess
  private readonly spawnedAt = performance.now()
  private exit?: { code: number | null, signal: NodeJS.Signals | null }

  private constructor (readonly configPath: string, { niceness = 0, args = [], home, nodeOptions }: StartOptions) {
    this.dataDir = join(configPath, '..', 'data')
    const env = nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions }
    this.child = home === undefined
      ? spawnShoal(['start', '--config', configPath, ...args], undefined, niceness, env)
      : spawnShoal(['start', ...args], undefined, niceness, { ...env, SHOAL_HOME: home })
    this.child.stdout?.setEncoding('utf8').on('data', (d: string) => { this.stdout += d })
    this.child.stderr?.setEncoding('utf8').on('data', (d: string) => { this.stderr += d })
    this.exited = track(this.child)
    void this.exited.then(e => { this.exit = e })
  }

  get pid (): number {
    if (this.child.pid === undefined) throw new Error('shoal start did not spawn')
    return this.child.pid
  }

  /**
   * Start a node on an existing config (its dataDir must be `<config folder>/data`) and wait
   * until it prints its ready line and `status --json` answers: as long as the node keeps
   * working, within budgets scaled from the cheapest start of this run (see start-watch.ts).
   */
  static async start (configPath: string, opts: StartOptions = {}): Promise<ShoalProcess> {
    const node = new ShoalProcess(configPath, opts)
    await node.waitReady()
    return node
  }

  /** Write a loopback config in `dir` (see writeConfig), start a node on it and wait until it answers. */
  static async create (dir: string, extra: Record<string, unknown> = {}, opts: StartOptions = {}): Promise<ShoalProcess> {
    return await ShoalProcess.start(await writeConfig(dir, extra), opts)
  }

  private async waitReady (): Promise<void> {
    const cpuMs = await this.watchStart()
    // the ready line comes after the API files are written: one `status` shows the CLI reaches the node
    for (let attempt = 1; ; attempt++) {
      const r = await this.shoal('status', '--json')
      if (r.code === 0) break
      if (attempt === 3 || this.exit !== undefined) throw new Error(`shoal start printed ready, then status failed: ${explain(r)}`)
      await sleep(200)
    }
    this.startup = { wallMs: performance.now() - this.spawnedAt, cpuMs }
    recordStart(this.startup)
  }

  /** Resolves with the CPU ms the node used until it printed ready; rejects when it exited first or is late. */
  private async watchStart (): Promise<number | undefined> {
    let cpuMs = processCpuMs(this.pid)
    let outputLength = 0
    let progressAt = performance.now()
    while (!/^ready$/m.test(this.stdout)) {
      if (this.exit !== undefined) throw new Error(`shoal start exited (${this.exit.code ?? this.exit.signal}) before answering:\n${this.stdout}${this.stderr}`)
      const now = performance.now()
      const cpuNow = processCpuMs(this.pid)
      const output = this.stdout.length + this.stderr.length
      if (cpuNow !== cpuMs || output !== outputLength) progressAt = now
      cpuMs = cpuNow
      outputLength = output
      const late = lateness({ elapsedMs: now - this.spawnedAt, cpuMs, idleMs: now - progressAt })
      if (late !== undefined) throw new Error(`shoal start ${late}:\n${this.stdout}${this.stderr}`)
      await sleep(50)
    }
    return processCpuMs(this.pid) ?? cpuMs
  }

  /** Run `shoal ARGS --config <this node's config>`. */
  async shoal (...args: string[]): Promise<RunResult> {
    return await this.run(args)
  }

  async run (args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return await runShoal([...args, '--config', this.configPath], opts)
  }

  async status (): Promise<NodeStatus> {
    const r = await this.shoal('status', '--json')
    if (r.code !== 0) throw new Error(`status --json failed: ${explain(r)}`)
    return JSON.parse(r.stdout) as NodeStatus
  }

  /**
   * GET /v1/status straight from the node's control API (its URL and token in the data folder):
   * no CLI process to start, for a test that must read the state before it moves on.
   */
  async apiStatus (): Promise<NodeStatus> {
    const [url, token] = await Promise.all(['api', 'api.token'].map(async f => (await readFile(join(this.dataDir, f), 'utf8')).trim()))
    const res = await fetch(`${url}/v1/status`, { headers: { authorization: `Bearer ${token}` } })
    if (!res.ok) throw new Error(`GET /v1/status: ${res.status}`)
    return await res.json() as NodeStatus
  }

  /** `shoal add PATH`, returning the content id (the last stdout line). */
  async add (path: string): Promise<string> {
    const r = await this.shoal('add', path)
    if (r.code !== 0) throw new Error(`add ${path} failed: ${explain(r)}`)
    return lastLine(r.stdout)
  }

  /** Send a signal to the node's process, by pid; false when it has already exited. */
  signal (signal: NodeJS.Signals): boolean {
    try {
      process.kill(this.pid, signal)
      return true
    } catch {
      return false
    }
  }

  /** SIGTERM, then SIGKILL if the node has not exited within `graceMs`; resolves with how it exited. */
  async kill (graceMs = 5_000): Promise<{ code: number | null, signal: NodeJS.Signals | null }> {
    if (!running.has(this.child)) return await this.exited
    this.signal('SIGTERM')
    const timer = setTimeout(() => { this.signal('SIGKILL') }, graceMs)
    const result = await this.exited
    clearTimeout(timer)
    return result
  }
}

/** End every child process still running (SIGTERM, then SIGKILL), each by its pid: for afterEach. */
export async function killAll (graceMs = 5_000): Promise<void> {
  const children = [...running]
  await Promise.all(children.map(async child => {
    const exited = new Promise(resolve => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(undefined)
      else child.once('exit', resolve)
    })
    const send = (s: NodeJS.Signals): void => { try { if (child.pid !== undefined) process.kill(child.pid, s) } catch {} }
    send('SIGTERM')
    const timer = setTimeout(() => { send('SIGKILL') }, graceMs)
    await exited
    clearTimeout(timer)
  }))
}

/** SHA-256 of a file, streamed. */
export async function sha256 (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/**
 * A folder's tree as sorted entries: `dir/` for folders, `file <sha256>` for files; two folders
 * with equal trees hold the same names and bytes.
 */
export async function tree (root: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name < b.name ? -1 : 1)) {
      const rel = `${prefix}${entry.name}`
      if (entry.isDirectory()) {
        out.push(`${rel}/`)
        await walk(join(dir, entry.name), `${rel}/`)
      } else if (entry.isFile()) {
        out.push(`${rel} ${(await stat(join(dir, entry.name))).size} ${await sha256(join(dir, entry.name))}`)
      } else {
        out.push(`${rel} (not a file or folder)`)
      }
    }
  }
  await walk(root, '')
  return out
}

/** The file mode's permission bits, e.g. 0o600. */
export async function modeOf (path: string): Promise<number> {
  return (await stat(path)).mode & 0o777
}

export async function readText (path: string): Promise<string> {
  return await readFile(path, 'utf8')
}
