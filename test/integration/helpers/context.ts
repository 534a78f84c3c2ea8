import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { TestNodes } from '../../helpers/nodes.js'
import { randomFile, tempDir, textFile } from '../../helpers/temp.js'
import type { GetProgressEvent, ShoalNode, SwarmStatus } from '../../../src/index.js'

export const MiB = 1024 * 1024

/** What each integration test gets: a temporary folder, a node pool, and cleanups run after it. */
export interface TestContext {
  /** The test's own temporary folder (removed after the test). */
  dir: string
  nodes: TestNodes
  /** Run `fn` after the test, before the nodes are stopped and the folder removed. */
  defer(fn: () => Promise<void> | void): void
}

/**
 * Register beforeEach/afterEach hooks that give every test a fresh folder and node pool, and
 * always stop the nodes and remove the folder, whether the test passed or not.
 */
export function useTestContext (prefix: string): TestContext {
  const ctx = { deferred: [] as Array<() => Promise<void> | void> } as unknown as TestContext & { deferred: Array<() => Promise<void> | void>, cleanup: () => Promise<void> }
  ctx.defer = (fn) => { ctx.deferred.push(fn) }
  beforeEach(async () => {
    const tmp = await tempDir(`shoal-it-${prefix}-`)
    ctx.dir = tmp.path
    ctx.cleanup = tmp.cleanup
    ctx.nodes = new TestNodes(join(tmp.path, 'nodes'))
    ctx.deferred = []
  })
  afterEach(async function () {
    this.timeout(30_000)
    for (const fn of ctx.deferred.splice(0).reverse()) await Promise.resolve(fn()).catch(() => {})
    await ctx.nodes.stopAll().catch(() => {})
    await ctx.cleanup()
  })
  return ctx
}

/** SHA-256 of a file, streamed. */
export async function sha256File (path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: MiB }) as AsyncIterable<Buffer>) hash.update(chunk)
  return hash.digest('hex')
}

/** Every file under `root` as relative '/' path -> SHA-256, sorted by path. */
export async function sha256Tree (root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`
      if (entry.isDirectory()) await walk(join(dir, entry.name), rel)
      else out[rel] = await sha256File(join(dir, entry.name))
    }
  }
  await walk(root, '')
  return out
}

/** The SHA-256 of a file, or of every file of a folder, for comparing content. */
export async function fingerprint (path: string): Promise<string | Record<string, string>> {
  return (await stat(path)).isDirectory() ? await sha256Tree(path) : await sha256File(path)
}

export async function exists (path: string): Promise<boolean> {
  return await stat(path).then(() => true, () => false)
}

/** A random file of `size` bytes at `dir/name`; returns its path. */
export async function makeFile (dir: string, name: string, size: number): Promise<string> {
  await mkdir(dir, { recursive: true })
  const path = join(dir, name)
  await randomFile(path, size)
  return path
}

export const UNICODE_NAME = 'héllo wörld 世界 🐟.txt'

/** A folder with nested folders, an empty file and a file with a unicode name; returns its path. */
export async function makeFolder (dir: string, name = 'album'): Promise<string> {
  const root = join(dir, name)
  await mkdir(join(root, 'sub', 'deeper', 'deepest'), { recursive: true })
  await randomFile(join(root, 'a.bin'), 700 * 1024 + 3)
  await textFile(join(root, 'empty.txt'), '')
  await textFile(join(root, UNICODE_NAME), 'ünïcödé cöntent 🐟\n'.repeat(100))
  await randomFile(join(root, 'sub', 'b.bin'), 2 * MiB + 17)
  await textFile(join(root, 'sub', 'deeper', 'empty-too'), '')
  await randomFile(join(root, 'sub', 'deeper', 'deepest', 'c.bin'), 1234567)
  return root
}

/** Poll `condition` until it holds, or fail with `message` after `timeout` ms. */
export async function waitFor (condition: () => boolean | Promise<boolean>, message: string, timeout = 10_000, interval = 50): Promise<void> {
  const deadline = Date.now() + timeout
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`timed out after ${timeout} ms waiting for: ${message}`)
    await new Promise(resolve => setTimeout(resolve, interval))
  }
}

/** Wait until `node` has a connection to each of `peers`. */
export async function waitForConnections (node: ShoalNode, peers: string[], timeout = 10_000): Promise<void> {
  await waitFor(() => {
    const connected = new Set(node.libp2p.getPeers().map(p => p.toString()))
    return peers.every(p => connected.has(p))
  }, `${node.peerId} connected to ${peers.join(', ')}`, timeout)
}

/** The status of one swarm of a node; fails if the node has none for `contentId`. */
export function swarmStatus (node: ShoalNode, contentId: string): SwarmStatus {
  const swarm = node.status().swarms.find(s => s.contentId === contentId)
  assert.ok(swarm !== undefined, `node ${node.peerId} has no swarm for ${contentId}`)
  return swarm
}

/** The node has the whole content, verified, and seeds it. */
export function assertSeeding (node: ShoalNode, contentId: string): SwarmStatus {
  const swarm = swarmStatus(node, contentId)
  assert.equal(swarm.state, 'seeding')
  assert.equal(swarm.piecesHave, swarm.pieceCount)
  return swarm
}

/** Assert a rejection whose `.name` is `name` (Shoal's errors are matched by name). */
export async function rejectsNamed (promise: Promise<unknown>, name: string): Promise<Error> {
  let caught: unknown
  await promise.then(() => { caught = undefined }, (err) => { caught = err ?? new Error('rejected with nothing') })
  assert.ok(caught instanceof Error, `expected a rejection named ${name}, but it resolved`)
  assert.equal((caught as Error).name, name, `expected ${name}, got ${(caught as Error).name}: ${(caught as Error).message}`)
  return caught as Error
}

/**
 * The progress events of a get arrive in order: searching (once, then once a second while the
 * search goes on), manifest, one or more progress events with a non-decreasing piece count
 * ending at the full count, then complete.
 */
export function assertProgressOrder (all: GetProgressEvent[], contentId: string, pieceCount: number, path: string): void {
  assert.equal(all[0]?.type, 'shoal:get:searching')
  const events = all.slice(all.findIndex(e => e.type !== 'shoal:get:searching') - 1)
  const types = events.map(e => e.type)
  assert.ok(events.length >= 4, `too few progress events: ${types.join(', ')}`)
  assert.equal(types[1], 'shoal:get:manifest')
  assert.equal(types[types.length - 1], 'shoal:get:complete')
  const middle = events.slice(2, -1)
  assert.ok(middle.every(e => e.type === 'shoal:get:progress'), `unexpected order: ${types.join(', ')}`)
  assert.ok(events.every(e => e.contentId === contentId))
  const manifest = events[1] as Extract<GetProgressEvent, { type: 'shoal:get:manifest' }>
  assert.equal(manifest.pieceCount, pieceCount)
  let last = -1
  for (const e of middle as Array<Extract<GetProgressEvent, { type: 'shoal:get:progress' }>>) {
    assert.ok(e.piecesHave >= last, 'progress went backwards')
    assert.ok(e.piecesHave <= e.pieceCount && e.bytesHave <= e.size)
    last = e.piecesHave
  }
  assert.equal(last, pieceCount, 'the last progress event does not show every piece')
  assert.equal((events[events.length - 1] as Extract<GetProgressEvent, { type: 'shoal:get:complete' }>).path, path)
}

export interface FetchOptions {
  discoveryTimeout?: number
  force?: boolean
  onProgress?(event: GetProgressEvent): void
}

/**
 * `node.get(contentId)` into `output`, then check everything a finished get promises: the
 * content is byte-identical to `source`, the swarm seeds with every piece, and the progress
 * events came in order. Returns the events and how long the get took.
 */
export async function fetchAndVerify (node: ShoalNode, contentId: string, output: string, source: string, options: FetchOptions = {}): Promise<{ events: GetProgressEvent[], ms: number }> {
  const events: GetProgressEvent[] = []
  const started = Date.now()
  const path = await node.get(contentId, {
    output,
    discoveryTimeout: options.discoveryTimeout ?? 20_000,
    ...(options.force === undefined ? {} : { force: options.force }),
    onProgress: (e) => { events.push(e); options.onProgress?.(e) }
  })
  const ms = Date.now() - started
  assert.equal(path, output)
  assert.deepEqual(await fingerprint(output), await fingerprint(source), `${output} differs from ${source}`)
  const swarm = assertSeeding(node, contentId)
  assertProgressOrder(events, contentId, swarm.pieceCount, output)
  return { events, ms }
}
