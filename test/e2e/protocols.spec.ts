/**
 * `shoal start` with protocol modules: `status --json` lists them with their protocol ids,
 * and a module that cannot be loaded stops the node with a message naming it, no stack trace
 * (unless --debug).
 */
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { tempDir } from '../helpers/temp.js'
import { STACK_LINE, ShoalProcess, explain, killAll, runShoal, writeConfig } from './helpers/shoal-process.js'

const WHO_HAS = fileURLToPath(new URL('../../protocols/examples/who-has/index.js', import.meta.url))

describe('e2e: protocol modules', function () {
  this.timeout(60_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir('shoal-e2e-protocols-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  it('status --json lists the loaded protocols with their protocol ids', async () => {
    const node = await ShoalProcess.create(join(dir.path, 'node'), { protocols: [{ module: WHO_HAS }] })
    const status = await node.status() as unknown as { protocols: Array<{ module: string, protocolIds: string[] }> }
    assert.deepEqual(status.protocols.at(-1), { module: WHO_HAS, protocolIds: ['/shoal-example/who-has/1.0.0'] })
    assert.ok(status.protocols.some(p => p.module === 'shoal:piece-exchange' && p.protocolIds[0] === '/shoal/piece-exchange/2.0.0'))
    await node.kill()
  })

  it('a module that throws in start() stops the node with a message naming it, a stack only with --debug', async () => {
    const folder = join(dir.path, 'bad')
    const config = await writeConfig(folder, { protocols: [{ module: './bad.mjs' }] })
    await writeFile(join(folder, 'bad.mjs'), 'export default () => () => ({ start () { throw new Error("no database configured") } })\n')
    const r = await runShoal(['start', '--config', config], { timeoutMs: 20_000 })
    assert.equal(r.code, 1, explain(r))
    assert.match(r.stderr, /protocol module "\.\/bad\.mjs" failed to start: no database configured/, explain(r))
    assert.doesNotMatch(r.stdout + r.stderr, STACK_LINE, explain(r))
    assert.doesNotMatch(r.stdout, /ready/, explain(r))
    const debug = await runShoal(['start', '--config', config, '--debug'], { timeoutMs: 20_000 })
    assert.equal(debug.code, 1, explain(debug))
    assert.match(debug.stderr, STACK_LINE, explain(debug))
  })

  it('a module that cannot be found stops the node with a message naming it', async () => {
    const config = await writeConfig(join(dir.path, 'missing'), { protocols: [{ module: 'shoal-protocol-that-is-not-installed' }] })
    const r = await runShoal(['start', '--config', config], { timeoutMs: 20_000 })
    assert.equal(r.code, 1, explain(r))
    assert.match(r.stderr, /protocol module "shoal-protocol-that-is-not-installed" cannot be found/, explain(r))
    assert.doesNotMatch(r.stdout + r.stderr, STACK_LINE, explain(r))
  })
})
