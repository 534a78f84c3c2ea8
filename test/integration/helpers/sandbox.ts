import { readdir } from 'node:fs/promises'
import { join } from 'node:path'

/** Every path under `root`, relative, folders ending in '/', sorted: what a test may compare before and after. */
export async function listTree (root: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const rel = `${prefix}${entry.name}`
      if (entry.isDirectory()) {
        out.push(`${rel}/`)
        await walk(join(dir, entry.name), `${rel}/`)
      } else {
        out.push(rel)
      }
    }
  }
  await walk(root, '')
  return out.sort()
}

/** Peak memory growth while `run` runs, sampled every 50 ms against the figures at the start. */
export async function peakGrowth<T> (run: () => Promise<T>): Promise<{ result: T, rss: number, arrayBuffers: number }> {
  const start = process.memoryUsage()
  let rss = 0
  let arrayBuffers = 0
  const sample = (): void => {
    const now = process.memoryUsage()
    rss = Math.max(rss, now.rss - start.rss)
    arrayBuffers = Math.max(arrayBuffers, now.arrayBuffers - start.arrayBuffers)
  }
  const timer = setInterval(sample, 50)
  try {
    const result = await run()
    sample()
    return { result, rss, arrayBuffers }
  } finally {
    clearInterval(timer)
  }
}
