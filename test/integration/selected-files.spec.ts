/**
 * `get --only`: a leecher fetches some files of a folder, writes only those (a piece shared
 * with another file is verified whole, and only the selected bytes are kept), can change its
 * selection while the download runs, keeps it across a restart, and a later get of the whole
 * content goes on from what is there.
 */
import assert from 'node:assert/strict'
import { readdir, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { MiB, exists, makeFolder, rejectsNamed, sha256File, sha256Tree, swarmStatus, useTestContext, waitFor } from './helpers/context.js'
import type { GetProgressEvent, ShoalNode, SwarmStatus } from '../../src/index.js'

const PIECE = 64 * 1024

/** Every file below `root`, as sorted relative paths. */
async function filesIn (root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries.filter(e => e.isFile()).map(e => relative(root, join(e.parentPath, e.name))).sort()
}

function filesOf (node: ShoalNode, contentId: string): NonNullable<SwarmStatus['files']> {
  const swarm = node.status({ files: true }).swarms.find(s => s.contentId === contentId)
  assert.ok(swarm?.files !== undefined, 'status with files lists the files')
  return swarm.files
}

describe('integration: selected files (get --only)', function () {
  const ctx = useTestContext('select')

  async function seed (uploadRate?: number): Promise<{ seeder: ShoalNode, source: string, contentId: string, bootstrap: string[] }> {
    const source = await makeFolder(join(ctx.dir, 'src'))
    const seeder = await ctx.nodes.start('seeder', { content: { pieceSize: PIECE }, ...(uploadRate === undefined ? {} : { limits: { uploadRate } }) })
    const { contentId } = await seeder.add(source)
    return { seeder, source, contentId, bootstrap: [TestNodes.address(seeder)] }
  }

  it('--only a file writes that file alone, its shared pieces verified whole; the whole content later goes on from it', async function () {
    this.timeout(60_000)
    const { source, contentId, bootstrap } = await seed()
    const leecher = await ctx.nodes.start('leecher', { bootstrap })
    const output = join(ctx.dir, 'out', 'album')
    // sub/b.bin starts and ends inside pieces shared with a.bin's neighbours
    const progress: Array<{ bytesHave: number, size: number }> = []
    const onProgress = (e: GetProgressEvent): void => { if (e.type === 'shoal:get:progress') progress.push(e) }
    assert.equal(await leecher.get(contentId, { output, only: ['sub/b.bin'], discoveryTimeout: 20_000, onProgress }), output)
    const bSize = (await stat(join(source, 'sub/b.bin'))).size
    assert.deepEqual(progress.at(-1), { ...progress.at(-1), bytesHave: bSize, size: bSize }, 'progress counts the selected file\'s bytes, and ends at all of them')
    assert.deepEqual(await filesIn(output), ['sub/b.bin'], 'no other file, and no .part, is made')
    assert.equal(await sha256File(join(output, 'sub/b.bin')), await sha256File(join(source, 'sub/b.bin')))
    const status = swarmStatus(leecher, contentId)
    assert.equal(status.state, 'seeding', 'its selection complete, it seeds what it has')
    assert.ok(status.piecesHave < status.pieceCount)
    assert.deepEqual(status.only, ['sub/b.bin'])
    const b = filesOf(leecher, contentId).find(f => f.path === 'sub/b.bin')
    assert.deepEqual(b && { selected: b.selected, complete: b.complete, bytes: b.bytesVerified }, { selected: true, complete: true, bytes: b?.size })
    assert.ok(filesOf(leecher, contentId).filter(f => f.path !== 'sub/b.bin').every(f => !f.selected))
    // the boundary pieces (shared with unselected neighbours) are verified but not had: only pieces whole inside b.bin are
    const files = filesOf(leecher, contentId)
    const start = files.slice(0, files.findIndex(f => f.path === 'sub/b.bin')).reduce((sum, f) => sum + f.size, 0)
    assert.ok(start % PIECE !== 0 && (start + bSize) % PIECE !== 0, 'b.bin begins and ends inside shared pieces')
    assert.equal(status.piecesHave, Math.floor((start + bSize) / PIECE) - Math.ceil(start / PIECE))

    // the gateway refuses at once what it cannot send whole-piece verified: an unselected file,
    // and a selected one whose first and last pieces it shares with unselected ones
    const gateway = leecher.status().gatewayUrl
    assert.ok(gateway !== undefined)
    for (const path of ['a.bin', 'sub/b.bin']) {
      const refused = await fetch(`${gateway}/content/${contentId}/${path}`, { signal: AbortSignal.timeout(20_000) })
      assert.equal(refused.status, 409, path)
      assert.match(await refused.text(), /shoal select/)
    }

    // a get of the whole content into the same path goes on from there
    assert.equal(await leecher.get(contentId, { output, discoveryTimeout: 20_000 }), output)
    assert.deepEqual(await sha256Tree(output), await sha256Tree(source))
    const whole = swarmStatus(leecher, contentId)
    assert.equal(whole.piecesHave, whole.pieceCount)
    assert.equal(whole.only, undefined)
    const served = await fetch(`${gateway}/content/${contentId}/sub/b.bin`, { signal: AbortSignal.timeout(20_000) })
    assert.equal(served.status, 200, 'once the content is whole, the gateway serves the file')
    assert.equal(Buffer.from(await served.arrayBuffer()).byteLength, bSize)
  })

  it('--only a folder takes every file under it (empty ones too); an unknown path is refused naming close ones', async function () {
    this.timeout(60_000)
    const { source, contentId, bootstrap } = await seed()
    const leecher = await ctx.nodes.start('leecher', { bootstrap })
    const output = join(ctx.dir, 'out', 'album')
    const err = await rejectsNamed(leecher.get(contentId, { output, only: ['sub/deeper/deepst'], discoveryTimeout: 20_000 }), 'UnknownPathError')
    assert.match(err.message, /"sub\/deeper\/deepst" is not a file or folder of album; did you mean "sub\/deeper\/deepest"/)
    assert.equal(await exists(output), false, 'nothing is made for a refused selection')
    await leecher.get(contentId, { output, only: ['sub/deeper'], discoveryTimeout: 20_000 })
    assert.deepEqual(await filesIn(output), ['sub/deeper/deepest/c.bin', 'sub/deeper/empty-too'])
    assert.equal(await sha256File(join(output, 'sub/deeper/deepest/c.bin')), await sha256File(join(source, 'sub/deeper/deepest/c.bin')))
    // not whole here: never copied to another path as if it were
    const elsewhere = await rejectsNamed(leecher.get(contentId, { output: join(ctx.dir, 'copy'), discoveryTimeout: 20_000 }), 'PathError')
    assert.match(elsewhere.message, /already being downloaded to .*album \(some files only/)
  })

  it('the selection changes while the download runs: a file added is fetched, a file dropped is not finished', async function () {
    this.timeout(90_000)
    const { contentId, bootstrap, source } = await seed(2 * MiB)
    const leecher = await ctx.nodes.start('leecher', { bootstrap })
    const output = join(ctx.dir, 'out', 'album')
    const getting = leecher.get(contentId, { output, only: ['sub/b.bin'], discoveryTimeout: 20_000 })
    await waitFor(() => (leecher.status().swarms.find(s => s.contentId === contentId)?.piecesHave ?? 0) > 0, 'a first piece', 20_000)
    // drop the big file, take two small ones
    assert.deepEqual(await leecher.select(contentId, ['a.bin', 'héllo wörld 世界 🐟.txt']), ['a.bin', 'héllo wörld 世界 🐟.txt'])
    await getting
    const files = await filesIn(output)
    assert.ok(files.includes('a.bin') && files.includes('héllo wörld 世界 🐟.txt'))
    assert.ok(!files.includes('sub/b.bin'), 'the dropped file keeps its .part name, unfinished')
    assert.equal(await sha256File(join(output, 'a.bin')), await sha256File(join(source, 'a.bin')))
    // a get with --only on a download of some files adds to its selection
    await leecher.get(contentId, { output, only: ['sub/b.bin'], discoveryTimeout: 20_000 })
    assert.equal(await sha256File(join(output, 'sub/b.bin')), await sha256File(join(source, 'sub/b.bin')))
    assert.deepEqual(swarmStatus(leecher, contentId).only, ['a.bin', 'héllo wörld 世界 🐟.txt', 'sub/b.bin'])
  })

  it('a restart keeps the selection and the pieces kept in part; the whole content then completes', async function () {
    this.timeout(90_000)
    const { source, contentId, bootstrap } = await seed()
    const leecher = await ctx.nodes.start('leecher', { bootstrap })
    const output = join(ctx.dir, 'out', 'album')
    await leecher.get(contentId, { output, only: ['sub/b.bin'], discoveryTimeout: 20_000 })
    const before = swarmStatus(leecher, contentId)
    await leecher.stop()

    const restarted = await ctx.nodes.start('leecher', { bootstrap })
    const after = swarmStatus(restarted, contentId)
    assert.equal(after.state, 'seeding', 'the selection is complete at once: nothing is fetched again')
    assert.deepEqual(after.only, ['sub/b.bin'])
    assert.equal(after.piecesHave, before.piecesHave)
    assert.equal(filesOf(restarted, contentId).find(f => f.path === 'sub/b.bin')?.complete, true)
    await restarted.get(contentId, { output, discoveryTimeout: 20_000 })
    assert.deepEqual(await sha256Tree(output), await sha256Tree(source))
  })
})
