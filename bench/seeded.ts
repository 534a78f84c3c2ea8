import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { randomFile } from './files.js'
import { ShoalProcess } from './processes.js'

/** The folder `name` under `root`, made if missing. */
export async function benchFolder (root: string, name: string): Promise<string> {
  const path = join(root, name)
  await mkdir(path, { recursive: true })
  return path
}

export interface Seeded {
  seeder: ShoalProcess
  contentId: string
  /** The seeder's first listen address: the leechers' bootstrap. */
  address: string
  /** The random content added, and its SHA-256 (hex), to check the copies against. */
  source: string
  sourceHash: string
}

/**
 * A `shoal start` seeder in `root/seeder` that added `bytes` of random content
 * (`root/source/content.bin`). It joins `nodes` as soon as it runs, so the caller's cleanup
 * stops it even if the add fails.
 */
export async function startSeeded (root: string, bytes: number, nodes: ShoalProcess[], seederConfig: Record<string, unknown> = {}): Promise<Seeded> {
  const source = join(await benchFolder(root, 'source'), 'content.bin')
  const sourceHash = await randomFile(source, bytes)
  const seeder = await ShoalProcess.start('seeder', await benchFolder(root, 'seeder'), { config: seederConfig })
  nodes.push(seeder)
  const contentId = (await seeder.cli('add', source)).trim().split('\n').at(-1) as string
  const address = (await seeder.status()).addresses[0]
  return { seeder, contentId, address, source, sourceHash }
}
