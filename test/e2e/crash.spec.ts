/**
 * Crash-safe resume with real processes: a leecher killed with SIGKILL at seeded random
 * moments during a 64 MiB download, restarted each time, keeps what it had verified and
 * ends byte-identical. CRASH_SEED replays a run.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { seededRandom } from '../helpers/random.js'
import { ShoalProcess, explain, killAll, sha256 } from './helpers/shoal-process.js'
import type { RunResult } from './helpers/shoal-process.js'

const MiB = 1024 * 1024
const KILLS = 4
/** Slow enough to kill mid-download (64 MiB in 16 s), fast enough for the whole test in well under a minute. */
const DOWNLOAD_RATE = 4 * MiB
const SEED = Number(process.env.CRASH_SEED ?? 20261201)

/** The leecher's swarm as its API reports it now (straight from the API: no CLI start-up in between). */
async function piecesHave (node: ShoalProcess, contentId: string): Promise<{ piecesHave: number, pieceCount: number }> {
  const swarm = (await node.apiStatus()).swarms.find(s => s.contentId === contentId)
  return swarm ?? { piecesHave: 0, pieceCount: 0 }
}

describe('e2e: kill -9 during a download', function () {
  this.timeout(120_000)
  let dir: { path: string, cleanup: () => Promise<void> }

  beforeEach(async () => { dir = await tempDir('shoal-e2e-crash-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  it(`a leecher killed ${KILLS} times keeps at least 95% of its verified pieces each time and ends byte-identical`, async () => {
    const random = seededRandom(SEED)
    const source = join(dir.path, 'big.bin')
    await randomFile(source, 64 * MiB)
    const seeder = await ShoalProcess.create(join(dir.path, 'seeder'))
    const contentId = await seeder.add(source)
    const boot = (await seeder.status()).addresses[0]
    const output = join(dir.path, 'out', 'big.bin')
    const config = { bootstrap: [boot], limits: { downloadRate: DOWNLOAD_RATE } }

    let leecher = await ShoalProcess.create(join(dir.path, 'leecher'), config)
    const rounds: Array<{ before: number, after: number }> = []
    for (let kill = 0; kill < KILLS; kill++) {
      const getting = leecher.run(['get', contentId, '--output', output], { timeoutMs: 60_000 })
      // the first kill comes once some MiB are in, later ones at any point of the next few seconds
      const delay = (kill === 0 ? 3000 : 1500) + random() * 1500
      await new Promise(resolve => setTimeout(resolve, delay))
      const before = await piecesHave(leecher, contentId)
      assert.ok(leecher.signal('SIGKILL'), 'the leecher had already exited')
      await leecher.exited
      const got: RunResult = await getting
      assert.notEqual(got.code, 0, `get finished before the kill: ${explain(got)}`)

      // an incomplete file carries its .part name, through kills and restarts
      assert.ok(existsSync(`${output}.part`) && !existsSync(output), `kill ${kill + 1}: expected only ${output}.part on disk`)
      leecher = await ShoalProcess.start(leecher.configPath)
      const after = await piecesHave(leecher, contentId)
      rounds.push({ before: before.piecesHave, after: after.piecesHave })
      assert.ok(before.piecesHave > 0 && before.piecesHave < before.pieceCount, `kill ${kill + 1} at ${before.piecesHave}/${before.pieceCount} pieces is not mid-download`)
      assert.ok(after.piecesHave >= 0.95 * before.piecesHave,
        `kill ${kill + 1}: ${after.piecesHave} pieces after the restart, ${before.piecesHave} verified before the kill (seed ${SEED})`)
    }

    const final = await leecher.run(['get', contentId, '--output', output], { timeoutMs: 60_000 })
    assert.equal(final.code, 0, `the last get failed: ${explain(final)}`)
    assert.equal(await sha256(output), await sha256(source), 'the output differs from the source')
    assert.ok(!existsSync(`${output}.part`), 'the .part name is gone once complete')
    const lost = rounds.reduce((sum, r) => sum + Math.max(0, r.before - r.after), 0)
    process.stdout.write(`      kills survived: ${rounds.length}, pieces before/after each restart: ${rounds.map(r => `${r.before}/${r.after}`).join(', ')}; verified pieces lost: ${lost} (seed ${SEED})\n`)
  })
})
