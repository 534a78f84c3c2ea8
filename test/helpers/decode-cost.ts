/**
 * Child process for the manifest-cost test: decode the manifest in file argv[2] (with the
 * module at argv[3], by default this build's) and print what it cost, as one JSON line. Run
 * it with a capped heap (--max-old-space-size): a decode over the budget dies of it.
 */
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'

const [file, modulePath = fileURLToPath(new URL('../../src/core/manifest.js', import.meta.url))] = process.argv.slice(2)
const { decodeManifest } = await import(modulePath) as typeof import('../../src/core/manifest.js')
let bytes: Uint8Array | undefined = await readFile(file)
globalThis.gc?.()
const before = process.memoryUsage()
const started = performance.now()
let outcome: string
let kept = 0
try {
  const manifest = decodeManifest(bytes, 16 * 1024 * 1024)
  outcome = `accepted: ${manifest.files.length} files`
  bytes = undefined
  globalThis.gc?.()
  kept = process.memoryUsage().heapUsed - before.heapUsed
  // held until here, so the figure above is what an accepted manifest keeps
  if (manifest.files.length < 0) process.stdout.write('unreachable')
} catch (err) {
  outcome = `refused: ${(err as Error).message.slice(0, 120)}`
}
const ms = performance.now() - started
process.stdout.write(JSON.stringify({ outcome, ms: Math.round(ms), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), baseRssMiB: Math.round(before.rss / 1048576), keptHeapMiB: Math.round(kept / 1048576) }) + '\n')
