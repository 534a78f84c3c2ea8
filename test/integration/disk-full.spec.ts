/**
 * A download into a disk that fills up: it fails with DiskFullError naming the file, leaves
 * the node's records consistent (every recorded piece really is on disk), and once space is
 * freed, the same get at the same path goes on from there and completes. Needs root to mount
 * a small tmpfs; skips itself, saying why, otherwise.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, open, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { TestNodes } from '../helpers/nodes.js'
import { decodeManifest, pieceHash } from '../../src/core/manifest.js'
import { HaveFile } from '../../src/swarm/have-file.js'
import { MiB, fingerprint, makeFile, rejectsNamed, swarmStatus, useTestContext } from './helpers/context.js'

const run = promisify(execFile)

/** Mount a tmpfs of `size` at `dir`; a reason when that is not possible here. */
async function mountTmpfs (dir: string, size: string): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'not root: mounting a tmpfs needs root'
  await mkdir(dir, { recursive: true })
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir])
    return undefined
  } catch (err) {
    return `mount -t tmpfs failed: ${(err as Error).message.split('\n')[0]}`
  }
}

describe('integration: a full disk', function () {
  const ctx = useTestContext('disk-full')

  it('fails with DiskFullError naming the file, keeps its records true, and resumes once space is freed', async function () {
    this.timeout(60_000)
    const disk = join(ctx.dir, 'small-disk')
    const why = await mountTmpfs(disk, '8m')
    if (why !== undefined) {
      process.stdout.write(`      skipped: ${why}\n`)
      this.skip()
    }
    ctx.defer(async () => { await run('umount', ['-l', disk]).catch(() => {}) })

    const source = await makeFile(join(ctx.dir, 'src'), 'big.bin', 20 * MiB)
    const seeder = await ctx.nodes.start('seeder', { content: { pieceSize: 256 * 1024 } })
    const added = await seeder.add(source)
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)] })
    const output = join(disk, 'big.bin')

    const err = await rejectsNamed(leecher.get(added.contentId, { output, discoveryTimeout: 20_000 }), 'DiskFullError')
    // the file being written carries its `.part` name until complete
    const part = `${output}.part`
    assert.match(err.message, new RegExp(`${part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the disk is full`))
    assert.equal(await stat(output).catch(() => undefined), undefined, 'the incomplete file took its final name')

    // the records stay true: the swarm is remembered, and every piece the have record claims is on disk
    const swarms = JSON.parse(await readFile(join(leecher.config.dataDir, 'swarms.json'), 'utf8')) as { swarms: Array<{ contentId: string, path: string }> }
    assert.deepEqual(swarms.swarms.map(s => [s.contentId, s.path]), [[added.contentId, output]])
    const manifest = decodeManifest(await readFile(join(leecher.config.dataDir, 'manifests', added.contentId)))
    const have = (await new HaveFile(leecher.config.dataDir, added.contentId).load(added.pieceCount))?.have
    assert.ok(have !== undefined && have.count > 0 && have.count < added.pieceCount, `have record: ${have?.count} of ${added.pieceCount} pieces`)
    const file = await open(part, 'r')
    try {
      for (let i = 0; i < added.pieceCount; i++) {
        if (!have.has(i)) continue
        const piece = Buffer.alloc(manifest.pieceSize)
        const { bytesRead } = await file.read(piece, 0, piece.byteLength, i * manifest.pieceSize)
        assert.ok(createHash('sha256').update(piece.subarray(0, bytesRead)).digest().equals(pieceHash(manifest, i)), `recorded piece ${i} is not on disk`)
      }
    } finally {
      await file.close()
    }

    // space freed: the same get at the same path goes on from the recorded pieces
    await run('mount', ['-o', 'remount,size=32m', disk])
    const path = await leecher.get(added.contentId, { output, discoveryTimeout: 20_000 })
    assert.equal(path, output)
    assert.deepEqual(await fingerprint(output), await fingerprint(source))
    assert.equal(await stat(part).catch(() => undefined), undefined, 'the .part name is gone once complete')
    const done = swarmStatus(leecher, added.contentId)
    assert.equal(done.state, 'seeding')
    assert.ok(done.downloaded <= added.size - (have.count - 1) * manifest.pieceSize,
      `after freeing space it downloaded ${done.downloaded} of ${added.size} bytes: the ${have.count} recorded pieces were fetched again`)
  })
})
