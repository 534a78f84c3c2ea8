import assert from 'node:assert/strict'
import { runScenario } from '../../../../bench/sim/run.js'
import { churn, flashCrowd, fluidBound, heterogeneous, LAB_RATE } from '../../../../bench/sim/scenarios.js'

const MiB = 1024 * 1024
const options = { fileBytes: 16 * MiB, pieceSize: 256 * 1024, seed: 7 }

describe('bench/sim/run', () => {
  it('one seeder, one leecher: the whole swarm logic takes F / U and a few round trips', () => {
    const result = runScenario(flashCrowd(1), options)
    const bound = options.fileBytes / LAB_RATE
    assert.equal(result.boundSeconds, Math.round(bound * 1000) / 1000)
    assert.ok(result.lastSeconds >= bound && result.lastSeconds < bound + 0.5, `${result.lastSeconds} s against ${bound} s`)
    assert.equal(result.seederCopies, 1)
    assert.equal(result.wastedBytes, 0)
    // the seeder uploads all along, the leecher never: half the capacity present
    assert.ok(Math.abs(result.uploadUse - 0.5) < 0.02, `upload use ${result.uploadUse}`)
  })

  it('a flash crowd of 50 finishes near the fluid bound, the seeder sending about one copy', function () {
    this.timeout(60_000)
    // the lab's 64 MiB: enough pieces (256) for 50 leechers to trade
    const result = runScenario(flashCrowd(50), { ...options, fileBytes: 64 * MiB })
    assert.equal(result.completed, 50)
    assert.ok(result.ratio >= 1 && result.ratio < 1.6, `ratio ${result.ratio}`)
    assert.ok(result.seederCopies < 1.6, `seeder sent ${result.seederCopies} copies`)
    assert.ok(result.meanSeconds <= result.lastSeconds)
    assert.ok(result.uploadUse > 0 && result.uploadUse <= 1, `upload use ${result.uploadUse}`)
    const last = result.availability[result.availability.length - 1]
    assert.equal(last[1], 50)
    assert.equal(last[2], 51, 'every piece on every peer at the end')
  })

  it('is deterministic for a seed', function () {
    this.timeout(60_000)
    const strip = (r: ReturnType<typeof runScenario>): unknown => ({ ...r, wallSeconds: 0 })
    assert.deepEqual(strip(runScenario(heterogeneous(20), options)), strip(runScenario(heterogeneous(20), options)))
    assert.notDeepEqual(strip(runScenario(heterogeneous(20), options)), strip(runScenario(heterogeneous(20), { ...options, seed: 8 })))
  })

  it('churn: leechers arrive over time and leave, some part-way, the rest complete', function () {
    this.timeout(60_000)
    const result = runScenario(churn(40, options.fileBytes), options)
    assert.ok(result.completed > 20 && result.completed < 40, `${result.completed} completed`)
    assert.ok(result.meanSeconds > 0 && Number.isFinite(result.lastSeconds))
  })

  it('a run that reaches its time limit (50 times the bound) says so, with the limit as its last time', () => {
    const result = runScenario({ ...flashCrowd(2), bound: () => 0.01 }, options)
    assert.equal(result.timedOut, true)
    assert.equal(result.completed, 0)
    assert.ok(result.lastSeconds <= 0.5 && Number.isFinite(result.meanSeconds))
    assert.equal(runScenario(flashCrowd(2), options).timedOut, false)
  })

  it('the fluid bound is the largest of the seeder, the slowest download and the total upload', () => {
    const seeder = { up: 10, down: Infinity, latency: 0 }
    assert.equal(fluidBound(100, seeder, [{ up: 10, down: Infinity, latency: 0 }]), 10)
    assert.equal(fluidBound(100, seeder, [{ up: 10, down: 4, latency: 0 }]), 25)
    assert.equal(fluidBound(100, seeder, Array(9).fill({ up: 0, down: Infinity, latency: 0 })), 90)
  })
})
