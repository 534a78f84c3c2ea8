import { createHash } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { request } from 'node:http'
import { join } from 'node:path'
import { sha256File } from './files.js'
import { round } from './monitor.js'
import { ShoalProcess } from './processes.js'
import { benchFolder, startSeeded } from './seeded.js'

const MiB = 1024 * 1024

export interface GatewayResult {
  bytes: number
  pieceSize: number
  /** ms to the first body byte of `Range: bytes=0-0` on content the leecher has never seen (manifest search, first piece). */
  ttfbColdMs: number
  /** The same request once the content is held: the gateway's own cost. */
  ttfbWarmMs: number
  /** ms to the first byte of a range in the middle of content being downloaded, not yet held there. */
  seekMiddleMs: number
  /** A full-file GET through a fresh leecher's gateway (content not held), until its last byte. */
  gatewayMibps: number
  /** `shoal get` of the same content into a fresh leecher, in the same run. */
  getMibps: number
}

interface Timed { firstByteMs: number, totalMs: number, bytes: number, sha256: string }

/** GET `url` (with `range`), timing the first body byte and the last, hashing what comes. */
async function timedGet (url: string, range?: string): Promise<Timed> {
  const started = performance.now()
  return await new Promise((resolve, reject) => {
    const req = request(url, { headers: range === undefined ? {} : { range } }, (res) => {
      if (res.statusCode !== 200 && res.statusCode !== 206) reject(new Error(`${url}: ${res.statusCode}`))
      const hash = createHash('sha256')
      let firstByteMs = -1
      let bytes = 0
      res.on('data', (chunk: Buffer) => {
        if (firstByteMs < 0) firstByteMs = performance.now() - started
        bytes += chunk.length
        hash.update(chunk)
      })
      res.on('end', () => { resolve({ firstByteMs, totalMs: performance.now() - started, bytes, sha256: hash.digest('hex') }) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

/**
 * The gateway's figures against `shoal get` in one run: a seeder of `bytes` random bytes and
 * three fresh leechers (real processes), one for first-byte times, one for a full GET through
 * its gateway, one for `shoal get`. Every copy is checked against the source's SHA-256.
 */
export async function gatewayFigures (root: string, bytes: number): Promise<GatewayResult> {
  const nodes: ShoalProcess[] = []
  try {
    const { seeder, contentId, address, sourceHash } = await startSeeded(root, bytes, nodes)
    const leecher = async (name: string): Promise<{ node: ShoalProcess, url: string }> => {
      const node = await ShoalProcess.start(name, await benchFolder(root, name), { bootstrap: [address] })
      nodes.push(node)
      await node.waitConnected()
      return { node, url: `${(await node.status()).gatewayUrl ?? ''}/content/${contentId}` }
    }

    const first = await leecher('first-byte')
    const cold = await timedGet(first.url, 'bytes=0-0')
    const middle = Math.floor(bytes / 2)
    const seek = await timedGet(first.url, `bytes=${middle}-${middle}`)
    // warm: the content held (the download the cold request started has completed)
    while ((await first.node.status()).swarms.find(s => s.contentId === contentId)?.state !== 'seeding') await new Promise(resolve => setTimeout(resolve, 200))
    const warm = await timedGet(first.url, 'bytes=0-0')
    await first.node.stop()

    const streamer = await leecher('gateway')
    const whole = await timedGet(streamer.url)
    if (whole.sha256 !== sourceHash || whole.bytes !== bytes) throw new Error('the gateway\'s full GET differs from the source')
    await streamer.node.stop()

    const getter = await leecher('get')
    const output = join(root, 'get', 'content.bin')
    const started = performance.now()
    await getter.node.cli('get', contentId, '--output', output)
    const getSeconds = (performance.now() - started) / 1000
    if (await sha256File(output) !== sourceHash) throw new Error(`${output} differs from the source`)
    const pieceSize = (await seeder.status()).swarms.find(s => s.contentId === contentId)?.pieceSize ?? 0
    await rm(output, { force: true })
    return {
      bytes,
      pieceSize,
      ttfbColdMs: round(cold.firstByteMs, 1),
      ttfbWarmMs: round(warm.firstByteMs, 1),
      seekMiddleMs: round(seek.firstByteMs, 1),
      gatewayMibps: round(bytes / MiB / (whole.totalMs / 1000)),
      getMibps: round(bytes / MiB / getSeconds)
    }
  } finally {
    await Promise.all(nodes.map(async n => { await n.stop() }))
  }
}
