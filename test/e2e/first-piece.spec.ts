/**
 * No idle start, with real processes: a get from a seeder the leecher is already connected to
 * hears of its first verified piece as that piece lands (the API's progress throttle does not
 * hold that line back), and a one-piece get takes no timer's wait. Bounds are generous: the
 * machine may be busy; the old waits were whole seconds.
 */
import assert from 'node:assert/strict'
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { getThroughApi, statusOf } from './helpers/node-api.js'
import { ShoalProcess, killAll, sha256 } from './helpers/shoal-process.js'
import type { GetEvent } from './helpers/node-api.js'

const KiB = 1024
const MiB = 1024 * KiB

interface ProgressLine extends GetEvent { piecesHave: number, pieceCount: number }

describe('e2e: a get from a connected seeder starts at once', function () {
  this.timeout(120_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let seeder: ShoalProcess
  let leecher: ShoalProcess

  before(async () => {
    dir = await tempDir('shoal-e2e-first-piece-')
    seeder = await ShoalProcess.create(join(dir.path, 'seeder'))
    leecher = await ShoalProcess.create(join(dir.path, 'leecher'), { bootstrap: [(await seeder.status()).addresses[0]] })
    const deadline = Date.now() + 30_000
    while ((await statusOf(leecher.dataDir)).connections === 0) {
      assert.ok(Date.now() < deadline, 'the leecher did not connect to the seeder')
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  })
  after(async () => {
    await killAll()
    await dir.cleanup()
  })

  async function added (name: string, bytes: number): Promise<{ source: string, contentId: string }> {
    const source = join(dir.path, 'src', name)
    await mkdir(join(dir.path, 'src'), { recursive: true })
    await randomFile(source, bytes)
    return { source, contentId: await seeder.add(source) }
  }

  it('the progress stream has a line for the first verified piece, before the last, even when the whole get takes less than the throttle', async () => {
    const { source, contentId } = await added('four.bin', 4 * MiB)
    const output = join(dir.path, 'out', 'four.bin')
    const lines: ProgressLine[] = []
    const last = await getThroughApi(leecher.dataDir, contentId, output, AbortSignal.timeout(60_000), (event) => {
      if (event.type === 'shoal:get:progress') lines.push(event as ProgressLine)
    })
    assert.equal(last.type, 'done', JSON.stringify(last))
    assert.equal(await sha256(output), await sha256(source))
    const firstWithPiece = lines.find(l => l.piecesHave > 0)
    assert.ok(firstWithPiece !== undefined && firstWithPiece.piecesHave < firstWithPiece.pieceCount,
      `no line for the first pieces: ${JSON.stringify(lines.map(l => l.piecesHave))}`)
  })

  it('a get of one piece (16 KiB) through the API takes well under a second', async () => {
    const times: number[] = []
    for (let i = 0; i < 3; i++) {
      const { contentId } = await added(`small-${i}.bin`, 16 * KiB)
      const started = performance.now()
      const last = await getThroughApi(leecher.dataDir, contentId, join(dir.path, 'out', `small-${i}.bin`), AbortSignal.timeout(60_000))
      assert.equal(last.type, 'done', JSON.stringify(last))
      times.push(performance.now() - started)
    }
    times.sort((a, b) => a - b)
    assert.ok(times[1] < 1000, `median ${times[1].toFixed(0)} ms (all: ${times.map(t => t.toFixed(0)).join(', ')})`)
  })
})
