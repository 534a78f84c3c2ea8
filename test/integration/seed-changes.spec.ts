/**
 * A seeder whose files change under it while it runs: a touch (same bytes, new time) is
 * verified and seeding goes on; changed bytes stop the seeding of that content.
 */
import assert from 'node:assert/strict'
import { open, stat, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { TestNodes } from '../helpers/nodes.js'
import { MiB, fetchAndVerify, makeFile, useTestContext, waitFor } from './helpers/context.js'

const CHECK_MS = 300

describe('integration: seeded files that change', function () {
  const ctx = useTestContext('seed-changes')

  it('a touched file is verified again and still seeded; a changed one is no longer seeded', async function () {
    this.timeout(60_000)
    const source = await makeFile(join(ctx.dir, 'src'), 'seeded.bin', 3 * MiB)
    const seeder = await ctx.nodes.start('seeder', { timeouts: { seedCheck: CHECK_MS } })
    const added = await seeder.add(source)

    const later = new Date((await stat(source)).mtimeMs + 5000)
    await utimes(source, later, later)
    await new Promise(resolve => setTimeout(resolve, 4 * CHECK_MS))
    assert.equal(seeder.status().swarms.find(s => s.contentId === added.contentId)?.state, 'seeding', 'a touch stopped the seeding')
    const leecher = await ctx.nodes.start('leecher', { bootstrap: [TestNodes.address(seeder)] })
    await fetchAndVerify(leecher, added.contentId, join(ctx.dir, 'out', 'seeded.bin'), source)
    await leecher.stop()

    const file = await open(source, 'r+')
    await file.write(Buffer.from('changed'), 0, 7, MiB + 5)
    await file.close()
    const evenLater = new Date(later.getTime() + 5000)
    await utimes(source, evenLater, evenLater)
    await waitFor(() => seeder.status().swarms.every(s => s.contentId !== added.contentId), 'the changed content to stop being seeded', 10_000)
  })
})
