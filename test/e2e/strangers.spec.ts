/**
 * The standing test of issue 12: strangers cannot stop a download, hold a seeder, or write
 * outside the output. One honest seeder and four honest leechers (real `shoal start`
 * processes) share a swarm with one hostile process that cycles through the hostile-peer
 * kit's behaviours with fresh identities from an address of its own (helpers/stranger.ts),
 * side by side with the same swarm without it, both at the same moment on this machine.
 * Every honest leecher ends byte-identical within 2x the clean run, nothing is written
 * outside the outputs, and the hostile swarm's seeder stays under a stated resident memory.
 */
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { listTree } from '../integration/helpers/sandbox.js'
import { getThroughApi, rssOf, statusOf, uploadsOf } from './helpers/node-api.js'
import { ShoalProcess, killAll, tree } from './helpers/shoal-process.js'
import { spawnStranger } from './helpers/stranger-process.js'
import type { Ban } from './helpers/node-api.js'
import type { BehaviourRecord } from './helpers/stranger.js'
import type { StrangerProcess } from './helpers/stranger-process.js'

const MiB = 1024 * 1024
const LEECHERS = 4
/** The content: a folder of three files (16 MiB), in 64 KiB pieces (256), so every stranger gets asked for some. */
const FILES = [8 * MiB, 5 * MiB + 12_345, 3 * MiB - 12_345]
const PIECE_SIZE = 64 * 1024
/**
 * Each seeder's upload cap: a clean run then takes 16 s or more, set by the cap more than by
 * this machine's load, and long enough for the stranger's whole first round to meet it.
 */
const SEED_RATE = 1024 * 1024
/** ms from one of the stranger's behaviours to the next. */
const PHASE_MS = 1000
/** The address the stranger dials from: never 127.0.0.1, or its bans get the honest nodes refused too. */
const STRANGER_ADDRESS = '127.0.0.2'
const TIME_FACTOR = 2
/**
 * The hostile swarm's seeder's peak resident memory. A clean seeder of this content peaked at
 * 144-151 MiB, the one beside the stranger at 188-194 MiB (2026-12-05): each non-reader may
 * hold a read-ahead (2 MiB) and a capped queue (512 KiB), each identity a connection and a
 * session, and the handshakes of the churn raise the allocator's high-water mark.
 */
const MAX_SEEDER_RSS_MIB = 250

interface Swarm {
  name: 'clean' | 'hostile'
  seeder: ShoalProcess
  leechers: ShoalProcess[]
}

describe('e2e: strangers in a swarm', function () {
  this.timeout(240_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let stranger: StrangerProcess | undefined

  beforeEach(async () => {
    stranger = undefined
    dir = await tempDir('shoal-e2e-strangers-')
  })
  afterEach(async () => {
    await stranger?.kill()
    await killAll()
    await dir.cleanup()
  })

  it(`a stranger cycling through the hostile kit does not stop ${LEECHERS} honest leechers (each within ${TIME_FACTOR}x a clean swarm run beside it), write outside the outputs, or hold the seeder (RSS under ${MAX_SEEDER_RSS_MIB} MiB)`, async function () {
    const source = join(dir.path, 'source', 'content')
    await mkdir(source, { recursive: true })
    await Promise.all(FILES.map(async (size, i) => { await randomFile(join(source, `file${i}.bin`), size) }))
    const size = FILES.reduce((a, b) => a + b, 0)

    // the leechers first, then the stranger's manifest holders, then the seeders, which dial
    // the leechers: a leecher's `get` meets the holders before the seeder (connected peers are
    // asked first, in the order they connected)
    const leechers = await Promise.all((['clean', 'hostile'] as const).map(startLeechers))
    stranger = spawnStranger({ localAddress: STRANGER_ADDRESS, leechers: await Promise.all(leechers[1].map(addressOf)), size, pieceSize: PIECE_SIZE, phaseMs: PHASE_MS })
    await stranger.ready
    const [clean, hostile] = await Promise.all((['clean', 'hostile'] as const).map(async (name, i) => await startSeeder(name, leechers[i])))
    const contentId = await hostile.seeder.add(source)
    assert.equal(await clean.seeder.add(source), contentId)
    await Promise.all([clean, hostile].map(waitForSeederLinks))

    const before = await listOutsideData(dir.path)
    const peakRss = { clean: 0, hostile: 0 }
    const sampler = setInterval(() => {
      peakRss.clean = Math.max(peakRss.clean, rssOf(clean.seeder.pid))
      peakRss.hostile = Math.max(peakRss.hostile, rssOf(hostile.seeder.pid))
    }, 100)
    const toStranger = trackUploadsToStrangers(hostile)
    let times: Times
    try {
      stranger.go(await addressOf(hostile.seeder), contentId)
      times = await downloadSideBySide([clean, hostile], contentId)
    } finally {
      clearInterval(sampler)
      await toStranger.stop()
    }
    const records = await stranger.stop()
    const uploaded = await Promise.all([clean, hostile].map(async (swarm) => (await statusOf(swarm.seeder.dataDir)).swarms[0].uploaded))

    const expected = await tree(source)
    for (const swarm of [clean, hostile]) {
      for (let i = 0; i < LEECHERS; i++) assert.deepEqual(await tree(outputOf(swarm, i)), expected, `${swarm.name} leecher ${i}'s output differs from the source`)
    }
    await assertWroteOnlyOutputs(before, await listOutsideData(dir.path), [clean, hostile])

    const bans = await Promise.all([hostile.seeder, ...hostile.leechers].map(async (node) => (await statusOf(node.dataDir)).bans))
    const honest = new Set(await Promise.all([clean, hostile].flatMap(s => [s.seeder, ...s.leechers]).map(async (n) => (await statusOf(n.dataDir)).peerId)))
    for (const ban of bans.flat()) assert.ok(!honest.has(ban.peerId), `an honest node was banned: ${ban.reason}`)

    const { cleanMs, hostileMs } = times
    const cleanRun = Math.max(...cleanMs)
    const slowest = Math.max(...hostileMs)
    report(records, bans, { ...times, peakRss, uploaded, strangerBytes: await toStranger.stop() })
    for (const [i, ms] of hostileMs.entries()) assert.ok(ms <= cleanRun * TIME_FACTOR, `hostile leecher ${i}: ${ms.toFixed(0)} ms against ${cleanRun.toFixed(0)} ms clean, over ${TIME_FACTOR}x`)
    assert.ok(peakRss.hostile < MAX_SEEDER_RSS_MIB * MiB, `the hostile swarm's seeder reached ${(peakRss.hostile / MiB).toFixed(0)} MiB`)
    const late = records.filter(r => r.round === 1 && r.startedMs > slowest)
    assert.deepEqual(late.map(r => r.behaviour), [], 'these behaviours started only after the downloads were over: the test proves nothing about them')
  })

  function outputOf (swarm: Swarm, i: number): string {
    return join(dir.path, 'out', `${swarm.name}-${i}`)
  }

  /** Every leecher of both swarms `get`s at the same moment; ms from then to its manifest and to its end. */
  async function downloadSideBySide (swarms: Swarm[], contentId: string): Promise<Times> {
    await mkdir(join(dir.path, 'out'))
    const began = performance.now()
    const manifestMs: Times['manifestMs'] = { clean: [], hostile: [] }
    const [cleanMs, hostileMs] = await Promise.all(swarms.map(async (swarm) => await Promise.all(swarm.leechers.map(async (leecher, i) => {
      const last = await getThroughApi(leecher.dataDir, contentId, outputOf(swarm, i), AbortSignal.timeout(180_000), (event) => {
        if (event.type === 'shoal:get:manifest') manifestMs[swarm.name][i] = performance.now() - began
      })
      assert.equal(last.type, 'done', `${swarm.name} leecher ${i}: ${JSON.stringify(last)}`)
      return performance.now() - began
    }))))
    return { cleanMs, hostileMs, manifestMs }
  }

  /**
   * LEECHERS leechers, each its own `shoal start` process, knowing nobody yet. Default limits:
   * a node sees at most LEECHERS honest peers at 127.0.0.1, within `limits.maxConnectionsPerAddress`.
   */
  async function startLeechers (name: Swarm['name']): Promise<ShoalProcess[]> {
    return await Promise.all(Array.from({ length: LEECHERS }, async (_, i) => await ShoalProcess.create(join(dir.path, `${name}-leecher${i}`))))
  }

  /** A capped seeder that dials `leechers` (its bootstrap list). */
  async function startSeeder (name: Swarm['name'], leechers: ShoalProcess[]): Promise<Swarm> {
    const bootstrap = await Promise.all(leechers.map(addressOf))
    const seeder = await ShoalProcess.create(join(dir.path, `${name}-seeder`), { bootstrap, limits: { uploadRate: SEED_RATE }, content: { pieceSize: PIECE_SIZE } })
    return { name, seeder, leechers }
  }
})

interface Times {
  /** ms from the `get`s' start to each leecher's end, by swarm. */
  cleanMs: number[]
  hostileMs: number[]
  /** ms from the `get`s' start to each leecher's manifest in hand. */
  manifestMs: Record<Swarm['name'], number[]>
}

/**
 * The test's tree changed only by the outputs (folders `out/<swarm>-<i>/` of FILES); and in each
 * node's own state, the stranger left nothing but bans: the same files as its clean counterpart's.
 */
async function assertWroteOnlyOutputs (before: string[], after: string[], [clean, hostile]: Swarm[]): Promise<void> {
  const outputs = [clean, hostile].flatMap(s => s.leechers.map((_, i) => `out/${s.name}-${i}/`))
  const expected = ['out/', ...outputs.flatMap(o => [o, ...FILES.map((_, f) => `${o}file${f}.bin`)])].sort()
  assert.deepEqual(after.filter(p => !before.includes(p)), expected, 'something was written outside the outputs')
  assert.deepEqual(before.filter(p => !after.includes(p)), [], 'something outside the outputs went missing')
  for (const [i, node] of [hostile.seeder, ...hostile.leechers].entries()) {
    const counterpart = [clean.seeder, ...clean.leechers][i]
    assert.deepEqual(await stateFiles(node), await stateFiles(counterpart), `${node.dataDir} holds other files than ${counterpart.dataDir}`)
  }
}

/** Wait until the seeder is connected to every leecher, so that both swarms start from the same place. */
async function waitForSeederLinks (swarm: Swarm): Promise<void> {
  const deadline = Date.now() + 30_000
  while ((await statusOf(swarm.seeder.dataDir)).connections < LEECHERS) {
    if (Date.now() > deadline) throw new Error(`the ${swarm.name} seeder did not reach its ${LEECHERS} leechers within 30 s`)
    await new Promise(resolve => setTimeout(resolve, 200))
  }
}

async function addressOf (node: ShoalProcess): Promise<string> {
  return (await statusOf(node.dataDir)).addresses[0]
}

/**
 * Poll the hostile swarm's seeder for what it hands to each peer; `stop` resolves with the
 * bytes that went to peers other than its leechers (the stranger's non-readers), each
 * counted at the most it was seen to reach.
 */
function trackUploadsToStrangers (swarm: Swarm): { stop: () => Promise<number> } {
  const most = new Map<string, number>()
  let polling = true
  let total: Promise<number> | undefined
  const poll = (async () => {
    while (polling) {
      for (const [peer, bytes] of await uploadsOf(swarm.seeder.dataDir).catch(() => new Map<string, number>())) most.set(peer, Math.max(most.get(peer) ?? 0, bytes))
      await new Promise(resolve => setTimeout(resolve, 250))
    }
  })()
  return {
    stop: async () => {
      polling = false
      total ??= poll.then(async () => {
        const honest = new Set(await Promise.all(swarm.leechers.map(async (l) => (await statusOf(l.dataDir)).peerId)))
        return [...most].filter(([peer]) => !honest.has(peer)).reduce((sum, [, bytes]) => sum + bytes, 0)
      })
      return await total
    }
  }
}

/** The test's temporary tree, but for each node's own dataDir (its state: records, bans, the API files). */
async function listOutsideData (root: string): Promise<string[]> {
  return (await listTree(root)).filter(p => !/^[^/]+\/data\//.test(p))
}

/** The files of a node's dataDir, but for its bans (the clean swarm's nodes have none to save). */
async function stateFiles (node: ShoalProcess): Promise<string[]> {
  return (await listTree(node.dataDir)).filter(p => !p.startsWith('bans.json'))
}

/** Print the table the README's Reliability section quotes. */
function report (records: BehaviourRecord[], bans: Ban[][], figures: Times & { peakRss: { clean: number, hostile: number }, uploaded: number[], strangerBytes: number }): void {
  const owner = new Map<string, BehaviourRecord>()
  for (const r of records) for (const id of r.identities) owner.set(id, r)
  const bannedBy = new Map<BehaviourRecord | undefined, Ban[]>()
  for (const ban of bans.flat()) bannedBy.set(owner.get(ban.peerId), [...(bannedBy.get(owner.get(ban.peerId)) ?? []), ban])
  const s = (ms: number): string => (ms / 1000).toFixed(1)
  const lines = [
    '| round | behaviour | at | identities | accepted / refused | handshakes | requests | pieces sent | manifest requests | exchanges the node ended | bans (reasons) |',
    '|---|---|---|---|---|---|---|---|---|---|---|'
  ]
  for (const r of records.filter(r => r.round <= 1)) {
    const theirs = bannedBy.get(r) ?? []
    const reasons = [...new Set(theirs.map(b => b.reason.replace(/\d+/g, 'N')))].join('; ')
    lines.push(`| ${r.round} | ${r.behaviour} | ${r.round === 0 ? 'before' : `${s(r.startedMs)} s`} | ${r.identityCount} | ${r.accepted} / ${r.refused} | ${r.handshakes} | ${r.requests} | ${r.piecesSent} | ${r.manifestRequests} | ${r.ended} | ${theirs.length}${reasons === '' ? '' : ` (${reasons})`} |`)
  }
  const later = records.filter(r => r.round > 1)
  if (later.length > 0) {
    const rounds = Math.max(...later.map(r => r.round))
    lines.push(`| 2-${rounds} | the whole cycle again | | ${later.reduce((a, r) => a + r.identityCount, 0)} | ${later.reduce((a, r) => a + r.accepted, 0)} / ${later.reduce((a, r) => a + r.refused, 0)} | | | | | | |`)
  }
  const unowned = bannedBy.get(undefined) ?? []
  lines.push(`bans of churned identities (ids not kept): ${unowned.length}${unowned.length === 0 ? '' : ` (${[...new Set(unowned.map(b => b.reason.replace(/\d+/g, 'N')))].join('; ')})`}`)
  const { cleanMs, hostileMs, manifestMs, peakRss, uploaded, strangerBytes } = figures
  lines.push(`the seeder uploaded: clean ${(uploaded[0] / MiB).toFixed(1)} MiB, with the stranger ${(uploaded[1] / MiB).toFixed(1)} MiB, of which ${(strangerBytes / MiB).toFixed(1)} MiB to the stranger's identities`)
  lines.push(`manifest in hand: clean ${manifestMs.clean.map(s).join(', ')} s; with the stranger ${manifestMs.hostile.map(s).join(', ')} s`)
  lines.push(`leechers clean: ${cleanMs.map(s).join(', ')} s; with the stranger: ${hostileMs.map(s).join(', ')} s; slowest ${s(Math.max(...hostileMs))} / ${s(Math.max(...cleanMs))} s = ${(Math.max(...hostileMs) / Math.max(...cleanMs)).toFixed(2)}x`)
  lines.push(`seeder peak RSS: clean ${(peakRss.clean / MiB).toFixed(0)} MiB, with the stranger ${(peakRss.hostile / MiB).toFixed(0)} MiB (bound ${MAX_SEEDER_RSS_MIB} MiB)`)
  process.stderr.write(lines.map(l => `      ${l}\n`).join(''))
}
