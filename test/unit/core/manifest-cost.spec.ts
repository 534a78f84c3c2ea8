/**
 * A hostile author's 16 MiB manifest, built to be expensive, is refused or accepted within a
 * fixed memory budget: each is decoded in a child process whose V8 heap is capped at
 * HEAP_BUDGET_MIB (a decode over it dies), and its peak RSS must stay under RSS_BUDGET_MIB.
 * Measured (Node 24): the accepted one peaks near 300 MiB, the refused ones at 110-170 MiB.
 * Before the linear tree check, the deep-paths manifest took 883 MiB and 13 s (and dies here).
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { tempDir } from '../../helpers/temp.js'
import { expensiveManifests } from '../../kit/hostile/manifests.js'

const run = promisify(execFile)
const HEAP_BUDGET_MIB = 128
const RSS_BUDGET_MIB = 384
const child = fileURLToPath(new URL('../../helpers/decode-cost.js', import.meta.url))

describe('core/manifest: the cost of an expensive manifest', function () {
  this.timeout(120_000)

  it(`refuses or accepts each 16 MiB manifest within ${HEAP_BUDGET_MIB} MiB of heap and ${RSS_BUDGET_MIB} MiB of RSS`, async () => {
    const dir = await tempDir()
    try {
      const expected: Record<string, RegExp> = {
        'deep paths, every prefix distinct': /^refused: .*more than 50000 folders/,
        'deep paths, one shared folder chain': /^accepted: 41\d\d files/,
        'zero-byte files by the million': /^refused: .*too many elements/,
        'a folder for every file': /^refused: .*more than 50000 folders/,
        'the most files allowed, long names': /^accepted: 200000 files/
      }
      for (const { what, bytes } of expensiveManifests()) {
        assert.ok(bytes.byteLength > 2 * 1024 * 1024, `${what}: only ${bytes.byteLength} bytes`)
        const file = join(dir.path, 'manifest')
        await writeFile(file, bytes)
        const { stdout } = await run(process.execPath, [`--max-old-space-size=${HEAP_BUDGET_MIB}`, child, file])
        const cost = JSON.parse(stdout) as { outcome: string, ms: number, peakRssMiB: number }
        process.stdout.write(`      ${what}: ${cost.outcome.split(':')[0]} in ${cost.ms} ms, peak RSS ${cost.peakRssMiB} MiB\n`)
        assert.match(cost.outcome, expected[what], what)
        assert.ok(cost.peakRssMiB < RSS_BUDGET_MIB, `${what}: peak RSS ${cost.peakRssMiB} MiB`)
      }
    } finally {
      await dir.cleanup()
    }
  })
})
