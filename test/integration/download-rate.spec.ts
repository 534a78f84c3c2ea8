/**
 * `limits.downloadRate` at a rate a user on a slow line would set, over content a few pieces
 * long: the bytes that arrive over the download's steady part keep within 5% of the limit,
 * and the whole get runs no faster than the limit either.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { MiB, fetchAndVerify, makeFile, useTestContext, waitForConnections } from './helpers/context.js'

const KiB = 1024

/** Verified bytes against time, one sample per change: the rate from the first piece to the last. */
function steadyRate (samples: Array<{ at: number, bytes: number }>): number {
  const first = samples[0]
  const last = samples[samples.length - 1]
  return (last.bytes - first.bytes) / ((last.at - first.at) / 1000)
}

describe('integration: the download rate limit', function () {
  const ctx = useTestContext('download-rate')

  it('a 128 KiB/s limit holds within 5% over a 2 MiB download, from its first piece to its last, and over the whole get', async function () {
    this.timeout(90_000)
    const rate = 128 * KiB
    const source = await makeFile(join(ctx.dir, 'src'), 'slow-line.bin', 2 * MiB)
    const seeder = await ctx.nodes.start('seeder')
    const added = await seeder.add(source)
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)], limits: { downloadRate: rate } })
    await waitForConnections(leecher, [seeder.peerId])
    const samples: Array<{ at: number, bytes: number }> = []
    const { ms } = await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'slow-line.bin'), source, {
      onProgress: (e) => {
        if (e.type === 'shoal:get:progress' && e.bytesHave > (samples.at(-1)?.bytes ?? 0)) samples.push({ at: performance.now(), bytes: e.bytesHave })
      }
    })
    assert.ok(samples.length >= 4, `only ${samples.length} progress samples: the test measures nothing`)
    const measured = steadyRate(samples)
    process.stderr.write(`      (steady ${(measured / KiB).toFixed(1)} KiB/s, whole get ${(added.size / (ms / 1000) / KiB).toFixed(1)} KiB/s, for a limit of ${rate / KiB} KiB/s)\n`)
    assert.ok(Math.abs(measured / rate - 1) <= 0.05, `measured ${(measured / KiB).toFixed(1)} KiB/s for a limit of ${rate / KiB} KiB/s`)
    // the whole get, as a user times it: start-up can only slow it, the first piece must not come free
    const whole = added.size / (ms / 1000)
    assert.ok(whole <= rate * 1.05, `the whole get ran at ${(whole / KiB).toFixed(1)} KiB/s for a limit of ${rate / KiB} KiB/s`)
  })
})
