/**
 * Restarts with the same dataDir: a seeder keeps its peer id and its swarms; a leecher
 * stopped mid-download keeps its verified pieces and finishes when asked again.
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { contentIdOf } from '../../src/core/content-id.js'
import { MiB, assertSeeding, fetchAndVerify, fingerprint, makeFile, rejectsNamed, swarmStatus, useTestContext } from './helpers/context.js'
import type { GetProgressEvent, ShoalNode } from '../../src/index.js'

/** Every file below `root`, as sorted relative paths. */
async function filesIn (root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries.filter(e => e.isFile()).map(e => relative(root, join(e.parentPath, e.name))).sort()
}

describe('integration: restarts', function () {
  const ctx = useTestContext('restart')

  /**
   * Start `get` on `node` and stop the node once `piecesHave` pieces are in; resolves when
   * the node has stopped. `settled` tells what became of the interrupted get.
   */
  async function getThenStop (node: ShoalNode, contentId: string, output: string, piecesHave: number, sequential = false): Promise<{ stoppedAt: number, pieceCount: number, settled: Promise<{ ok: true, path: string } | { ok: false, err: Error }> }> {
    let stop!: (at: GetProgressEvent & { type: 'shoal:get:progress' }) => void
    const reached = new Promise<GetProgressEvent & { type: 'shoal:get:progress' }>(resolve => { stop = resolve })
    const settled = node.get(contentId, {
      output,
      discoveryTimeout: 20_000,
      sequential,
      onProgress: (e) => { if (e.type === 'shoal:get:progress' && e.piecesHave >= piecesHave) stop(e) }
    }).then(path => ({ ok: true as const, path }), (err: Error) => ({ ok: false as const, err }))
    const first = await Promise.race([reached, settled.then(() => undefined)])
    assert.ok(first !== undefined, 'the get finished before it could be interrupted')
    await node.stop()
    return { stoppedAt: first.piecesHave, pieceCount: first.pieceCount, settled }
  }

  it('a restarted seeder keeps its peer id and still seeds what it added', async function () {
    this.timeout(60_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'kept.bin', 6 * MiB + 1)
    const first = await ctx.nodes.start('seeder')
    const added = await first.add(source)
    await first.stop()

    const seeder = await ctx.nodes.start('seeder')
    assert.equal(seeder.peerId, first.peerId, 'the peer id changed across a restart')
    const swarm = assertSeeding(seeder, added.contentId)
    assert.equal(swarm.path, source)
    assert.equal(swarm.size, added.size)

    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)] })
    await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'kept.bin'), source)
    assert.ok(swarmStatus(seeder, added.contentId).uploaded >= added.size)
  })

  it('a leecher stopped mid-download resumes from its verified pieces and completes at the same path', async function () {
    this.timeout(60_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'resume.bin', 64 * MiB + 999)
    const seeder = await ctx.nodes.start('seeder')
    const added = await seeder.add(source)
    const bootstrap = [TestNodes.address(seeder)]
    const output = join(ctx.dir, 'out', 'resume.bin')

    const leecher = await ctx.nodes.start('leecher', { bootstrap })
    const { stoppedAt, pieceCount } = await getThenStop(leecher, added.contentId, output, 4)
    assert.ok(stoppedAt < pieceCount)
    assert.ok(existsSync(`${output}.part`) && !existsSync(output), 'the incomplete file carries its .part name')

    const restarted = await ctx.nodes.start('leecher', { bootstrap })
    assert.equal(restarted.peerId, leecher.peerId)
    const restored = swarmStatus(restarted, added.contentId)
    assert.equal(restored.path, output)
    assert.ok(restored.piecesHave >= stoppedAt, `restored ${restored.piecesHave} pieces, had ${stoppedAt} verified before the stop`)

    // the same content at the same path is not "an existing path": get resumes it
    const events: GetProgressEvent[] = []
    const path = await restarted.get(added.contentId, { output, discoveryTimeout: 20_000, onProgress: e => { events.push(e) } })
    assert.equal(path, output)
    assert.deepEqual(await fingerprint(output), await fingerprint(source))
    assert.ok(!existsSync(`${output}.part`), 'the .part name is gone once complete')
    const done = assertSeeding(restarted, added.contentId)
    assert.ok(done.downloaded <= added.size - stoppedAt * done.pieceSize + done.pieceSize,
      `after the restart it downloaded ${done.downloaded} bytes of ${added.size}: the kept pieces were fetched again`)
    assert.equal(events[events.length - 1]?.type, 'shoal:get:complete')
  })

  it('a folder download names each file .part until its own pieces are verified, across a restart', async function () {
    this.timeout(60_000)
    const folder = join(ctx.dir, 'src', 'album')
    // in piece order (sequential): the small first file completes long before the others
    await makeFile(folder, '1-intro.bin', 100_000)
    await makeFile(folder, '2-empty.bin', 0)
    await makeFile(folder, '3-long.bin', 24 * MiB)
    await makeFile(join(folder, 'songs'), '4-outro.bin', 8 * MiB)
    const seeder = await ctx.nodes.start('seeder', { content: { pieceSize: 256 * 1024 } })
    const added = await seeder.add(folder)
    const bootstrap = [TestNodes.address(seeder)]
    const output = join(ctx.dir, 'out', 'album')

    const leecher = await ctx.nodes.start('leecher', { bootstrap, limits: { downloadRate: 8 * MiB } })
    const { stoppedAt, pieceCount } = await getThenStop(leecher, added.contentId, output, 8, true)
    assert.ok(stoppedAt < pieceCount)
    assert.deepEqual(await filesIn(output), ['1-intro.bin', '3-long.bin.part'], 'a partial download: the complete file in place, the rest .part, no empty file yet')

    const restarted = await ctx.nodes.start('leecher', { bootstrap })
    assert.equal(await restarted.get(added.contentId, { output, discoveryTimeout: 20_000 }), output)
    assert.deepEqual(await fingerprint(output), await fingerprint(folder))
    assert.deepEqual(await filesIn(output), ['1-intro.bin', '2-empty.bin', '3-long.bin', 'songs/4-outro.bin'], 'the completed download has no .part file')
  })

  it('a get that is running when its node stops settles with NodeStoppedError', async function () {
    this.timeout(30_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'abandoned.bin', 64 * MiB)
    const seeder = await ctx.nodes.start('seeder')
    const added = await seeder.add(source)
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)] })
    const { settled } = await getThenStop(leecher, added.contentId, join(ctx.dir, 'out', 'abandoned.bin'), 1)
    const outcome = await Promise.race([settled, new Promise<'pending'>(resolve => setTimeout(() => { resolve('pending') }, 5000))])
    assert.notEqual(outcome, 'pending', 'get() never settled after node.stop(): its promise hangs forever')
    assert.ok(outcome !== 'pending' && !outcome.ok, 'get() resolved although the node stopped before the content was complete')
    assert.equal(outcome.err.name, 'NodeStoppedError')
  })

  it('a get still searching when its node stops rejects with NodeStoppedError, not NoProvidersError', async function () {
    this.timeout(30_000)
    const leecher = await ctx.nodes.start('leecher')
    const unknown = contentIdOf(new TextEncoder().encode('nobody has this')).toString()
    const started = Date.now()
    const settled = leecher.get(unknown, { output: join(ctx.dir, 'out', 'never'), discoveryTimeout: 20_000 })
    settled.catch(() => {}) // checked below
    await new Promise(resolve => setTimeout(resolve, 500))
    await leecher.stop()
    const err = await rejectsNamed(settled, 'NodeStoppedError')
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms: ${err.message}`)
  })
})
