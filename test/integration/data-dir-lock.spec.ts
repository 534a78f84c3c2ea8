/** The library takes the data folder's lock as the CLI does (issue 13, item 2): two nodes on one dataDir are as harmful in one process. */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { createNode } from '../../src/index.js'
import { tempDir } from '../helpers/temp.js'
import type { ConfigInput, ShoalNode } from '../../src/index.js'

describe('integration: one node per data folder (library)', function () {
  this.timeout(60_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let config: ConfigInput
  const nodes: ShoalNode[] = []
  beforeEach(async () => {
    dir = await tempDir('shoal-lock-int-')
    config = { dataDir: join(dir.path, 'data'), listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [] }
  })
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map(async n => { await n.stop() }))
    await dir.cleanup()
  })

  it('a second createNode on the same dataDir rejects with DataDirLockedError; the first runs on; after stop() the folder is free', async () => {
    const first = await createNode(config)
    nodes.push(first)
    await assert.rejects(createNode(config), (err: Error) => err.name === 'DataDirLockedError' && err.message.includes(`already running (pid ${process.pid})`))
    assert.ok(first.status().addresses.length > 0)
    await first.stop()
    assert.ok(!existsSync(join(dir.path, 'data', 'node.lock')))
    const second = await createNode(config)
    nodes.push(second)
    assert.equal(second.peerId, first.peerId)
  })

  it('a node that fails to start releases the lock', async () => {
    await assert.rejects(createNode({ ...config, protocols: [{ module: './no-such-module.js' }] }, { protocolBaseDir: dir.path }), (err: Error) => err.name === 'ProtocolLoadError')
    assert.ok(!existsSync(join(dir.path, 'data', 'node.lock')), 'a failed start left its lock behind')
    const node = await createNode(config)
    nodes.push(node)
  })
})
