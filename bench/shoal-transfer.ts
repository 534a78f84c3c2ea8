import { join } from 'node:path'
import { sha256File } from './files.js'
import { monitor, round } from './monitor.js'
import { ShoalProcess } from './processes.js'
import { benchFolder, startSeeded } from './seeded.js'
import type { ProcessUsage } from './monitor.js'

const MiB = 1024 * 1024

export interface NodeFigures extends ProcessUsage {
  name: string
  /** The swarm's uploaded / downloaded counters from `status --json`, in MiB. */
  uploadedMiB: number
  downloadedMiB: number
}

export interface TransferResult {
  bytes: number
  leechers: number
  pieceSize: number
  /** From the moment the gets are issued until the last one exits 0. */
  seconds: number
  /** Bytes delivered to all leechers / seconds. With one leecher: that leecher's rate. */
  mibps: number
  /** Each leecher's time until its `get` exited 0. */
  leecherSeconds: number[]
  /** Sum of leechers' uploaded / sum of leechers' downloaded: how much they fed each other. */
  leecherShare: number
  /** Time of one `shoal status --json` run: the CLI's own start-up cost inside each `get`. */
  cliSeconds: number
  nodes: NodeFigures[]
}

/**
 * One seeder and `leecherCount` leechers, each a real `shoal start` process bootstrapped to
 * the seeder; the seeder adds a random file of `bytes` bytes and every leecher gets it at
 * once. Every copy is checked against the source's SHA-256. `seederConfig` is merged into the
 * seeder's config (an upload limit, say).
 */
export async function shoalTransfer (root: string, bytes: number, leecherCount: number, seederConfig: Record<string, unknown> = {}): Promise<TransferResult> {
  const nodes: ShoalProcess[] = []
  try {
    const { seeder, contentId, address, sourceHash } = await startSeeded(root, bytes, nodes, seederConfig)
    const names = Array.from({ length: leecherCount }, (_, i) => `leecher${i + 1}`)
    const leechers = await Promise.all(names.map(async name => await ShoalProcess.start(name, await benchFolder(root, name), { bootstrap: [address] })))
    nodes.push(...leechers)
    await Promise.all(leechers.map(async l => { await l.waitConnected() }))

    const outputs = names.map(name => join(root, name, 'content.bin'))
    const usage = monitor(nodes.map(n => n.pid))
    const started = performance.now()
    const leecherSeconds = await Promise.all(leechers.map(async (leecher, i) => {
      await leecher.cli('get', contentId, '--output', outputs[i])
      return round((performance.now() - started) / 1000, 3)
    }))
    const used = usage()
    const seconds = Math.max(...leecherSeconds)

    const cliStarted = performance.now()
    const statuses = [await seeder.status()]
    const cliSeconds = round((performance.now() - cliStarted) / 1000, 3)
    statuses.push(...await Promise.all(leechers.map(async n => await n.status())))
    const swarms = statuses.map(s => {
      const swarm = s.swarms.find(w => w.contentId === contentId)
      if (swarm === undefined) throw new Error(`node ${s.peerId} has no swarm for ${contentId}`)
      return swarm
    })
    for (const output of outputs) {
      if (await sha256File(output) !== sourceHash) throw new Error(`${output} differs from the source`)
    }
    const leecherSwarms = swarms.slice(1)
    const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0)
    return {
      bytes,
      leechers: leecherCount,
      pieceSize: swarms[0].pieceSize,
      seconds,
      mibps: round(leecherCount * bytes / MiB / seconds),
      leecherSeconds,
      leecherShare: round(sum(leecherSwarms.map(s => s.uploaded)) / sum(leecherSwarms.map(s => s.downloaded)), 3),
      cliSeconds,
      nodes: nodes.map((node, i) => ({
        name: node.name,
        ...used[i],
        uploadedMiB: round(swarms[i].uploaded / MiB),
        downloadedMiB: round(swarms[i].downloaded / MiB)
      }))
    }
  } finally {
    await Promise.all(nodes.map(async n => { await n.stop() }))
  }
}
