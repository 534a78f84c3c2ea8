/**
 * What the node keeps on disk is its own (issue 12, item 9): dataDir is 0700 and its files
 * 0600, an older 0755 dataDir is tightened at start, and a stored manifest damaged on disk is
 * not served at start (serving it would get the node banned as a forger by every peer).
 */
import assert from 'node:assert/strict'
import { chmod, readFile, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { MiB, assertSeeding, makeFile, rejectsNamed, useTestContext } from './helpers/context.js'

const modeOf = async (path: string): Promise<string> => ((await stat(path)).mode & 0o777).toString(8)

/** Every entry under `root` (depth first) with its mode, as 'relative/path 600'. */
async function modes (root: string, prefix = ''): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name)
    out.push(`${prefix}${entry.name} ${await modeOf(path)}`)
    if (entry.isDirectory()) out.push(...await modes(path, `${prefix}${entry.name}/`))
  }
  return out.sort()
}

describe('integration: local hygiene (dataDir modes, stored manifests)', function () {
  this.timeout(60_000)
  const ctx = useTestContext('hygiene')
  const dataDir = (name: string): string => join(ctx.dir, 'nodes', name)

  it('dataDir is 0700 and everything the node writes in it 0600, whatever the umask', async () => {
    const umask = process.umask(0o002) // a permissive umask: modes must not depend on it
    try {
      const source = await makeFile(join(ctx.dir, 'src'), 'modes.bin', MiB + 7)
      const seeder = await ctx.nodes.start('seeder')
      const { contentId } = await seeder.add(source)
      const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)] })
      await leecher.get(contentId, { output: join(ctx.dir, 'out', 'modes.bin'), discoveryTimeout: 20_000 })
      await ctx.nodes.stopAll()
      for (const name of ['seeder', 'leecher']) {
        assert.equal(await modeOf(dataDir(name)), '700', `${name}'s dataDir`)
        const loose = (await modes(dataDir(name))).filter(line => !/ (600|700)$/.test(line))
        assert.deepEqual(loose, [], `${name}: entries other users may read`)
      }
      assert.ok((await modes(dataDir('leecher'))).includes(`manifests/${contentId} 600`))
    } finally {
      process.umask(umask)
    }
  })

  it('a dataDir an older version left 0755 with 0644 files is tightened at start, and the node still seeds', async () => {
    const source = await makeFile(join(ctx.dir, 'src'), 'old.bin', MiB)
    const first = await ctx.nodes.start('seeder')
    const { contentId } = await first.add(source)
    await first.stop()
    // as an older Shoal left it
    const dir = dataDir('seeder')
    await chmod(dir, 0o755)
    await chmod(join(dir, 'manifests'), 0o755)
    for (const file of ['swarms.json', 'bans.json', `manifests/${contentId}`]) await chmod(join(dir, file), 0o644).catch(() => {})
    // and something that is not Shoal's, which it leaves alone
    await writeFile(join(dir, 'notes.txt'), 'mine', { mode: 0o644 })
    await chmod(join(dir, 'notes.txt'), 0o644)

    const seeder = await ctx.nodes.start('seeder')
    assertSeeding(seeder, contentId)
    assert.equal(await modeOf(dir), '700')
    assert.equal(await modeOf(join(dir, 'manifests')), '700')
    assert.equal(await modeOf(join(dir, 'swarms.json')), '600')
    assert.equal(await modeOf(join(dir, 'manifests', contentId)), '600')
    assert.equal(await modeOf(join(dir, 'notes.txt')), '644')
  })

  it('a stored manifest damaged on disk is not served at start: the swarm stays on the list, unrestored, and nobody bans the node', async () => {
    const source = await makeFile(join(ctx.dir, 'src'), 'damaged.bin', 2 * MiB)
    const first = await ctx.nodes.start('seeder')
    const { contentId } = await first.add(source)
    await first.stop()
    // one letter of the name changes (where the manifest gives it): still a valid manifest, no longer this content's
    const manifestPath = join(dataDir('seeder'), 'manifests', contentId)
    const bytes = await readFile(manifestPath)
    let damaged = 0
    for (let at = bytes.indexOf('damaged.bin'); at >= 0; at = bytes.indexOf('damaged.bin', at + 1), damaged++) bytes[at] = 'D'.charCodeAt(0)
    assert.ok(damaged > 0)
    await writeFile(manifestPath, bytes)

    const seeder = await ctx.nodes.start('seeder')
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)] })
    const failed = leecher.get(contentId, { output: join(ctx.dir, 'out', 'damaged.bin'), discoveryTimeout: 3000 })
    await failed.catch(() => {})
    assert.deepEqual(leecher.status().bans.map(b => b.reason), [], 'the leecher banned the seeder')
    await rejectsNamed(failed, 'NoProvidersError')
    assert.equal(seeder.status().swarms.some(s => s.contentId === contentId), false, 'the damaged manifest was restored')
    await seeder.stop()
    const list = JSON.parse(await readFile(join(dataDir('seeder'), 'swarms.json'), 'utf8')) as { swarms: Array<{ contentId: string }> }
    assert.deepEqual(list.swarms.map(s => s.contentId), [contentId], 'the unrestored swarm left the list')
  })

  it('adding the content again repairs a damaged stored manifest', async () => {
    const source = await makeFile(join(ctx.dir, 'src'), 'repair.bin', MiB)
    const first = await ctx.nodes.start('seeder')
    const { contentId } = await first.add(source)
    await first.stop()
    const manifestPath = join(dataDir('seeder'), 'manifests', contentId)
    await writeFile(manifestPath, Buffer.concat([await readFile(manifestPath), Buffer.of(0)]))
    const seeder = await ctx.nodes.start('seeder')
    assert.equal(seeder.status().swarms.length, 0)
    assert.equal((await seeder.add(source)).contentId, contentId)
    assertSeeding(seeder, contentId)
  })
})
