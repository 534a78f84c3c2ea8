import assert from 'node:assert/strict'
import * as nodeModule from 'node:module'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { tempDir } from '../helpers/temp.js'
import { ShoalProcess, explain, killAll, runShoal } from './helpers/shoal-process.js'

/** A valid content id that no node has. */
const UNKNOWN_CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'
/** What a client command must not load: libp2p, the config validator, the progress bar's library. */
const HEAVY = /\/node_modules\/(libp2p|@libp2p\/[^/]+|@chainsafe\/libp2p-[^/]+|zod|cli-progress)\//
/** And what `get` of a content id (not a ticket) need not load: the multiaddr codecs (~25 ms). */
const HEAVY_FOR_GET = /\/node_modules\/(libp2p|@libp2p\/[^/]+|@chainsafe\/libp2p-[^/]+|zod|cli-progress|@multiformats\/multiaddr)\//

/** Records every module a process loads (ES modules and CommonJS alike), one URL a line. */
const RECORDER = `import { registerHooks } from 'node:module'
import { appendFileSync } from 'node:fs'
registerHooks({ load (url, context, next) { appendFileSync(process.env.SHOAL_TEST_LOADED, url + '\\n'); return next(url, context) } })
`

describe('e2e: what each CLI command loads (a client command starts in well under 200 ms)', function () {
  this.timeout(120_000)
  let dir: { path: string, cleanup: () => Promise<void> }
  let recorder: string
  let runs = 0

  before(async function () {
    if (typeof (nodeModule as { registerHooks?: unknown }).registerHooks !== 'function') this.skip() // Node < 22.15
    dir = await tempDir('shoal-e2e-startup-')
    recorder = join(dir.path, 'recorder.mjs')
    await writeFile(recorder, RECORDER)
  })
  after(async () => {
    await killAll()
    await dir?.cleanup()
  })

  /** Run `shoal ARGS` with the recorder; resolves with the heavy packages it loaded. */
  async function heavyLoads (args: string[], expectCode: number, heavy = HEAVY): Promise<string[]> {
    const log = join(dir.path, `loaded-${++runs}.txt`)
    await writeFile(log, '')
    const r = await runShoal(args, { env: { SHOAL_TEST_LOADED: log, NODE_OPTIONS: `--import ${pathToFileURL(recorder).href}` } })
    assert.equal(r.code, expectCode, explain(r))
    const loaded = (await readFile(log, 'utf8')).split('\n')
    assert.ok(loaded.some(url => url.includes('/cli/index.js')), 'the recorder saw nothing')
    return [...new Set(loaded.map(url => heavy.exec(url)?.[1]).filter(name => name !== undefined))]
  }

  it('--version, --help and swarm-key generate load none of libp2p, zod or cli-progress', async () => {
    for (const args of [['--version'], ['--help'], ['swarm-key', 'generate']]) {
      assert.deepEqual(await heavyLoads(args, 0), [], `shoal ${args.join(' ')}`)
    }
  })

  it('status, add, get, peers and stop against a running node load none of them either', async () => {
    const node = await ShoalProcess.create(join(dir.path, 'node'))
    const file = join(dir.path, 'small.txt')
    await writeFile(file, 'a small file\n')
    const config = ['--config', node.configPath]
    assert.deepEqual(await heavyLoads(['status', ...config], 0), [], 'status')
    assert.deepEqual(await heavyLoads(['status', '--json', ...config], 0), [], 'status --json')
    assert.deepEqual(await heavyLoads(['add', file, ...config], 0), [], 'add')
    assert.deepEqual(await heavyLoads(['get', UNKNOWN_CID, '--timeout', '1s', '--output', join(dir.path, 'out'), ...config], 1, HEAVY_FOR_GET), [], 'get')
    assert.deepEqual(await heavyLoads(['peers', UNKNOWN_CID, ...config], 1), [], 'peers')
    assert.deepEqual(await heavyLoads(['stop', ...config], 0), [], 'stop')
  })

  it('start with a bad config fails before loading libp2p', async () => {
    const config = join(dir.path, 'bad.json')
    await writeFile(config, JSON.stringify({ dataDir: './data', nosuchkey: 1 }))
    assert.deepEqual((await heavyLoads(['start', '--config', config], 1)).filter(name => name !== 'zod'), [])
  })
})
