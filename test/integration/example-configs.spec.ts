/**
 * Every example config in config/ loads and starts a node (with its protocol modules, from
 * the paths the configs give relative to config/), and the package exports `shoal/testing`.
 */
import assert from 'node:assert/strict'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { resolveConfig } from '../../src/config/load.js'
import { createNode } from '../../src/index.js'
import { useTestContext } from './helpers/context.js'

const CONFIG_DIR = fileURLToPath(new URL('../../../config/', import.meta.url))

describe('integration: the example configs', function () {
  this.timeout(60_000)
  const ctx = useTestContext('configs')

  it('every config in config/ with protocol modules loads and starts them', async () => {
    const names = (await readdir(CONFIG_DIR)).filter(n => n.endsWith('.json'))
    let withProtocols = 0
    for (const name of names) {
      const json = JSON.parse(await readFile(join(CONFIG_DIR, name), 'utf8')) as Record<string, unknown>
      if (!Array.isArray(json.protocols) || json.protocols.length === 0) continue
      withProtocols++
      // as written, but on any free port and with data in the test's folder
      const config = resolveConfig({ ...json, dataDir: join(ctx.dir, name), listen: ['/ip4/127.0.0.1/tcp/0'] }, { configPath: join(CONFIG_DIR, name), source: name })
      const node = await createNode(config)
      try {
        const loaded = node.status().protocols.filter(p => !p.module.startsWith('shoal:'))
        assert.deepEqual(loaded.map(p => p.module), (json.protocols as Array<{ module: string }>).map(p => p.module), name)
        assert.ok(loaded.every(p => p.protocolIds.length > 0), `${name}: a module registered no protocol id`)
      } finally {
        await node.stop()
      }
    }
    assert.ok(withProtocols >= 2, `only ${withProtocols} example configs load protocols`)
  })

  it('the package exports shoal/testing', async () => {
    const testing = await import('shoal/testing' as string) as { startTestNodes?: unknown, waitFor?: unknown }
    assert.equal(typeof testing.startTestNodes, 'function')
    assert.equal(typeof testing.waitFor, 'function')
  })
})
