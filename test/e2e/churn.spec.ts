/**
 * Churn: peers come and go and the swarm still completes. Real `shoal` processes; the
 * seeder's upload is capped (limits.uploadRate) so the transfer lasts long enough to kill
 * things mid-way.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { pieceHashes, seededRandom, updateHeld } from './helpers/churn.js'
import { ShoalProcess, explain, killAll, sha256, writeConfig } from './helpers/shoal-process.js'
import type { RunResult } from './helpers/shoal-process.js'

const MiB = 1024 * 1024
const SIZE = 48 * MiB
const LEECHERS = 6
const SEED_RATE = 8 * MiB
/** Seven nodes on 127.0.0.1, restarted again and again (two connections a pair at times): more than a household's cap per address. */
const LAB_CONNECTIONS = 64
const PIECE_SIZE = 256 * 1024 // automatic for 48 MiB
/** The churn schedule's seed: change it to try another schedule, keep it to replay one. */
const CHURN_SEED = Number(process.env.SHOAL_CHURN_SEED ?? 20261201)

interface Leecher {
  config: string
  node: ShoalProcess
  output: string
  get: Promise<RunResult>
  restarts: number
}

describe('e2e: churn', function () {
  this.timeout(120_000)
  let dir: { path: string, cleanup: () => Promise<void> }

  beforeEach(async () => { dir = await tempDir('shoal-e2e-churn-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  /** `lastLeecherDownloadRate` caps the last leecher's download (0: none). */
  async function startSwarm (leecherRate = 0, lastLeecherDownloadRate = 0): Promise<{ seeder: ShoalProcess, contentId: string, source: string, leechers: Leecher[] }> {
    const source = join(dir.path, 'source.bin')
    await randomFile(source, SIZE)
    const seeder = await ShoalProcess.create(join(dir.path, 'seeder'), { limits: { uploadRate: SEED_RATE, maxConnectionsPerAddress: LAB_CONNECTIONS } })
    const contentId = await seeder.add(source)
    const boot = (await seeder.status()).addresses[0]
    const leechers = await Promise.all(Array.from({ length: LEECHERS }, async (_, i) => {
      const downloadRate = i === LEECHERS - 1 ? lastLeecherDownloadRate : 0
      const config = await writeConfig(join(dir.path, `leecher${i + 1}`), { bootstrap: [boot], limits: { uploadRate: leecherRate, downloadRate, maxConnectionsPerAddress: LAB_CONNECTIONS } })
      const node = await ShoalProcess.start(config)
      const output = join(dir.path, 'out', `leecher${i + 1}.bin`)
      return { config, node, output, get: startGet(node, contentId, output), restarts: 0 }
    }))
    return { seeder, contentId, source, leechers }
  }

  function startGet (node: ShoalProcess, contentId: string, output: string): Promise<RunResult> {
    return node.run(['get', contentId, '--output', output, '--timeout', '60s'], { timeoutMs: 100_000 })
  }

  async function assertAllIdentical (source: string, leechers: Leecher[]): Promise<void> {
    const expected = await sha256(source)
    for (const [i, l] of leechers.entries()) {
      const r = await l.get
      assert.equal(r.code, 0, `leecher ${i + 1} (restarted ${l.restarts}x): ${explain(r)}`)
      assert.equal(await sha256(l.output), expected, `leecher ${i + 1}: content differs`)
    }
  }

  it(`1 seeder and 6 leechers killed (SIGKILL) and restarted at seeded random times all finish byte-identical (seed ${CHURN_SEED})`, async function () {
    const { contentId, source, leechers } = await startSwarm()
    const random = seededRandom(CHURN_SEED)
    const started = Date.now()
    // every leecher is killed once, 1-6 s in, and is down for 0.3-1.8 s
    const schedule = leechers.map(() => ({ killAt: 1000 + random() * 5000, downFor: 300 + random() * 1500 }))
    const resumedWith: number[] = []
    await Promise.all(leechers.map(async (l, i) => {
      const { killAt, downFor } = schedule[i]
      await sleep(started + killAt - Date.now())
      // not before the node has recorded its swarm (see the README: a kill between the get
      // creating its output and recording the swarm leaves a file the next get refuses)
      while (((await l.node.status()).swarms[0]?.piecesHave ?? 0) === 0) await sleep(100)
      l.node.signal('SIGKILL')
      await l.node.exited
      await l.get // the get's connection to its node broke: it fails
      await sleep(downFor)
      l.node = await ShoalProcess.start(l.config)
      l.restarts++
      resumedWith[i] = (await l.node.status()).swarms[0]?.piecesHave ?? 0
      // the same get again: the node resumes into the same output from its verified pieces
      l.get = startGet(l.node, contentId, l.output)
    }))
    await assertAllIdentical(source, leechers)
    const seconds = (Date.now() - started) / 1000
    console.log(`      (48 MiB to 6 churning leechers in ${seconds.toFixed(1)} s, seed ${SEED_RATE / MiB} MiB/s; kill at / down for ms: ${JSON.stringify(schedule.map(s => [Math.round(s.killAt), Math.round(s.downFor)]))}; pieces kept across the kill: ${JSON.stringify(resumedWith)} of 192)`)
    assert.ok(resumedWith.some(n => n > 0 && n < 192), 'no leecher was killed mid-download: the test proves nothing')
  })

  it('once the leechers together hold every piece the seeder is killed (SIGKILL), and they all still complete', async function () {
    // leechers upload at 4 MiB/s each, and the last one downloads at 2 MiB/s at most: it holds
    // under 30 MiB when the others together hold every piece (10-15 s in), so at least one
    // leecher must finish without the seeder (the others finish 2-3 s after the union does,
    // which a busy machine's check of their files, every 250 ms, could miss)
    const { seeder, source, leechers } = await startSwarm(4 * MiB, 2 * MiB)
    const hashes = await pieceHashes(source, PIECE_SIZE)
    const held = new Set<number>()
    const started = Date.now()
    // cheap gate first: the leechers' pieces all came from the seeder, so it must have sent SIZE bytes
    while (((await seeder.status()).swarms[0]?.uploaded ?? 0) < SIZE) {
      assert.ok(Date.now() - started < 60_000, 'the seeder did not send one copy within 60 s')
      await sleep(250)
    }
    while (await updateHeld(held, leechers.map(l => l.output), hashes, PIECE_SIZE) < hashes.length) {
      assert.ok(Date.now() - started < 60_000, `after 60 s the leechers together hold only ${held.size}/${hashes.length} pieces`)
      await sleep(250)
    }
    const heldAt = Date.now()
    seeder.signal('SIGKILL')
    await seeder.exited
    // through the API: six CLI processes started on a busy machine answered after the leechers were done
    const incomplete = (await Promise.all(leechers.map(async l => (await l.node.apiStatus()).swarms[0]?.piecesHave ?? 0))).filter(n => n < hashes.length).length
    await assertAllIdentical(source, leechers)
    console.log(`      (union complete after ${((heldAt - started) / 1000).toFixed(1)} s; ${incomplete} of 6 leechers were incomplete when the seeder died; all done ${((Date.now() - heldAt) / 1000).toFixed(1)} s later)`)
    assert.ok(incomplete > 0, 'every leecher was already complete when the seeder died: the test proves nothing')
  })
})

async function sleep (ms: number): Promise<void> {
  if (ms > 0) await new Promise(resolve => setTimeout(resolve, ms))
}
