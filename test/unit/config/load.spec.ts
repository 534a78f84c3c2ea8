import assert from 'node:assert/strict'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { DEFAULTS } from '../../../src/config/defaults.js'
import { loadConfig, resolveConfig } from '../../../src/config/load.js'
import { tempDir } from '../../helpers/temp.js'
import { isNamedError } from '../fixtures.js'

/** The repository's own config folder (this file runs from dist/test/unit/config/). */
const repoConfig = (name: string): string => fileURLToPath(new URL(`../../../../config/${name}`, import.meta.url))

const configError = (message?: RegExp): ((err: unknown) => boolean) => isNamedError('ConfigError', message)

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

describe('config/load', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let count = 0

  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })

  /** Write `content` (an object as JSON, or raw text) to a fresh file in the temp folder. */
  async function writeConfig (content: unknown, folder = ''): Promise<string> {
    await mkdir(join(dir.path, folder), { recursive: true })
    const path = join(dir.path, folder, `config-${count++}.json`)
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content))
    return path
  }

  async function assertRejected (content: unknown, message: RegExp): Promise<void> {
    const path = await writeConfig(content)
    await assert.rejects(loadConfig(path), configError(message), `config ${JSON.stringify(content)}`)
  }

  describe('defaults', () => {
    it('an empty object gets every default', async () => {
      const path = await writeConfig({})
      const config = await loadConfig(path)
      assert.equal(config.dataDir, join(dir.path, 'data'))
      assert.deepEqual(config.listen, DEFAULTS.listen)
      assert.deepEqual(config.bootstrap, [])
      assert.deepEqual(config.api, DEFAULTS.api)
      assert.equal(config.swarmKey, undefined)
      assert.deepEqual(config.protocols, [])
      assert.deepEqual(config.content, { pieceSize: DEFAULTS.content.pieceSize })
      assert.deepEqual(config.dht, DEFAULTS.dht)
      assert.deepEqual(config.limits, DEFAULTS.limits)
      assert.deepEqual(config.timeouts, DEFAULTS.timeouts)
      assert.equal(config.configPath, path)
    })

    it('a partly given section keeps the defaults of its other keys', async () => {
      const config = await loadConfig(await writeConfig({ api: { port: 5001 }, limits: { maxBadPieces: 9 } }))
      assert.deepEqual(config.api, { host: DEFAULTS.api.host, port: 5001 })
      assert.deepEqual(config.limits, { ...DEFAULTS.limits, maxBadPieces: 9 })
    })

    it('given values are kept', async () => {
      const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
      const input = {
        listen: ['/ip4/127.0.0.1/tcp/0', '/ip6/::1/tcp/4002'],
        bootstrap: [`/ip4/10.0.0.1/tcp/4001/p2p/${peer}`, `/dns4/seed.example.com/tcp/4001/p2p/${peer}`],
        api: { host: '::1', port: 65535 },
        content: { pieceSize: 1024 * 1024 },
        dht: { enabled: false, protocol: '/my/kad/1.0.0' },
        protocols: [{ module: './my-protocol.js', options: { level: 3 } }],
        timeouts: { discovery: 1000 }
      }
      const config = await loadConfig(await writeConfig(input))
      assert.deepEqual(config.listen, input.listen)
      assert.deepEqual(config.bootstrap, input.bootstrap)
      assert.deepEqual(config.api, input.api)
      assert.deepEqual(config.content, input.content)
      assert.deepEqual(config.dht, input.dht)
      assert.deepEqual(config.protocols, input.protocols)
      assert.equal(config.timeouts.discovery, 1000)
      assert.equal(config.timeouts.request, DEFAULTS.timeouts.request)
    })

    it('api.port 0 (any free port) and the loopback names are accepted', async () => {
      for (const host of ['127.0.0.1', '::1', 'localhost']) {
        const config = await loadConfig(await writeConfig({ api: { host, port: 0 } }))
        assert.equal(config.api.host, host)
        assert.equal(config.api.port, 0)
      }
    })
  })

  describe('paths', () => {
    it('a relative dataDir and swarmKey resolve against the config file folder', async () => {
      const path = await writeConfig({ dataDir: 'nodes/a', swarmKey: './keys/swarm.key' }, 'etc/shoal')
      const config = await loadConfig(path)
      assert.equal(config.dataDir, join(dir.path, 'etc/shoal/nodes/a'))
      assert.equal(config.swarmKey, join(dir.path, 'etc/shoal/keys/swarm.key'))
    })

    it('they resolve against the config folder, not the working directory, when the config path is relative', async () => {
      const path = await writeConfig({ dataDir: '../data' }, 'conf')
      const config = await loadConfig(relative(process.cwd(), path))
      assert.equal(config.dataDir, join(dir.path, 'data'))
      assert.equal(config.configPath, path)
    })

    it('absolute paths are kept', async () => {
      const config = await loadConfig(await writeConfig({ dataDir: '/var/lib/shoal', swarmKey: '/etc/shoal/swarm.key' }))
      assert.equal(config.dataDir, '/var/lib/shoal')
      assert.equal(config.swarmKey, '/etc/shoal/swarm.key')
    })

    it('resolveConfig resolves against baseDir, or the working directory', () => {
      assert.equal(resolveConfig({ dataDir: 'd' }, { baseDir: '/srv' }).dataDir, '/srv/d')
      assert.equal(resolveConfig({ dataDir: 'd' }).dataDir, join(process.cwd(), 'd'))
    })
  })

  describe('unknown keys', () => {
    it('at the top level, named in the error', async () => {
      await assertRejected({ colour: 'blue' }, /"colour"/)
    })

    it('nested, named with their full path', async () => {
      await assertRejected({ limits: { foo: 1 } }, /"limits\.foo"/)
      await assertRejected({ api: { host: '127.0.0.1', tls: true } }, /"api\.tls"/)
      await assertRejected({ timeouts: { connect: 5 } }, /"timeouts\.connect"/)
      await assertRejected({ content: { chunkSize: 5 } }, /"content\.chunkSize"/)
      await assertRejected({ protocols: [{ module: 'x', extra: 1 }] }, /"protocols\.0\.extra"/)
    })

    it('a key in the wrong case or misspelled gets the key meant', async () => {
      await assertRejected({ limits: { uploadrate: 1024 } }, /unknown key "limits\.uploadrate" \(did you mean "limits\.uploadRate"\?\)/)
      await assertRejected({ timeouts: { discovry: 5000 } }, /"timeouts\.discovry" \(did you mean "timeouts\.discovery"\?\)/)
      await assertRejected({ datadir: './data' }, /"datadir" \(did you mean "dataDir"\?\)/)
      await assertRejected({ protocols: [{ modul: 'x' }] }, /"protocols\.0\.modul" \(did you mean "protocols\.0\.module"\?\)/)
    })

    it('an unrelated key gets no suggestion', async () => {
      assert.throws(() => resolveConfig({ colour: 'blue' }), (err: Error) => err.name === 'ConfigError' && /"colour"/.test(err.message) && !/did you mean/.test(err.message))
    })

    it('defaults that are not user keys are refused too', async () => {
      // how `add` picks a piece size (ADDING: minAutoPieceSize, targetPieceCount...) is built in, not config keys
      await assertRejected({ content: { targetPieceCount: 10 } }, /"content\.targetPieceCount"/)
    })
  })

  describe('durations', () => {
    it('take milliseconds as a number, or a string as --timeout does: "1500ms", "30s", "2m", "1h"', () => {
      const config = resolveConfig({
        timeouts: { discovery: '30s', request: '1500ms', handshake: 4000, rediscoverInterval: '2m', seedCheck: '1.5s' },
        limits: { banDuration: '1h' }
      })
      assert.deepEqual(config.timeouts, { discovery: 30_000, request: 1500, handshake: 4000, rediscoverInterval: 120_000, seedCheck: 1500 })
      assert.equal(config.limits.banDuration, 3_600_000)
    })

    it('a bad one names the key and the forms it may take', async () => {
      await assertRejected({ timeouts: { request: 'soon' } }, /"timeouts\.request": "soon" is not a duration: give milliseconds \(a number\) or a string such as "1500ms", "30s", "2m" or "1h"/)
    })
  })

  describe('bad values name the key', () => {
    const cases: Array<[string, unknown, string]> = [
      ['listen not a multiaddr', { listen: ['not-a-multiaddr'] }, 'listen.0'],
      ['listen as a string, not a list', { listen: '/ip4/0.0.0.0/tcp/4001' }, 'listen'],
      ['bootstrap without /p2p/', { bootstrap: ['/ip4/10.0.0.1/tcp/4001'] }, 'bootstrap.0'],
      ['bootstrap not a multiaddr', { bootstrap: ['seed.example.com:4001'] }, 'bootstrap.0'],
      ['api.host not loopback', { api: { host: '0.0.0.0' } }, 'api.host'],
      ['api.host a LAN address', { api: { host: '192.168.1.2' } }, 'api.host'],
      ['api.port 70000', { api: { port: 70000 } }, 'api.port'],
      ['api.port negative', { api: { port: -1 } }, 'api.port'],
      ['api.port fractional', { api: { port: 80.5 } }, 'api.port'],
      ['api.port a string', { api: { port: '8080' } }, 'api.port'],
      ['limits as a string', { limits: 'lots' }, 'limits'],
      ['limits.maxPeersPerSwarm zero', { limits: { maxPeersPerSwarm: 0 } }, 'limits.maxPeersPerSwarm'],
      ['limits.maxInflightBytesPerPeer too small', { limits: { maxInflightBytesPerPeer: 1000 } }, 'limits.maxInflightBytesPerPeer'],
      ['limits.banDuration zero', { limits: { banDuration: 0 } }, 'limits.banDuration'],
      ['content.pieceSize not a power of two', { content: { pieceSize: 100_000 } }, 'content.pieceSize'],
      ['content.pieceSize below 16 KiB', { content: { pieceSize: 8192 } }, 'content.pieceSize'],
      ['content.pieceSize above 16 MiB', { content: { pieceSize: 32 * 1024 * 1024 } }, 'content.pieceSize'],
      ['dataDir empty', { dataDir: '' }, 'dataDir'],
      ['dataDir a number', { dataDir: 5 }, 'dataDir'],
      ['swarmKey empty', { swarmKey: '' }, 'swarmKey'],
      ['dht.enabled a string', { dht: { enabled: 'yes' } }, 'dht.enabled'],
      ['dht.protocol without a leading slash', { dht: { protocol: 'kad' } }, 'dht.protocol'],
      ['timeouts.request zero', { timeouts: { request: 0 } }, 'timeouts.request'],
      ['timeouts.discovery over a day', { timeouts: { discovery: 25 * 3600 * 1000 } }, 'timeouts.discovery'],
      ['protocols entry without a module', { protocols: [{ options: {} }] }, 'protocols.0.module'],
      ['timeouts.request a word', { timeouts: { request: 'soon' } }, 'timeouts.request'],
      ['timeouts.request without a unit', { timeouts: { request: '30' } }, 'timeouts.request'],
      ['timeouts.request a boolean', { timeouts: { request: true } }, 'timeouts.request'],
      ['timeouts.discovery "25h"', { timeouts: { discovery: '25h' } }, 'timeouts.discovery'],
      ['limits.banDuration "0s"', { limits: { banDuration: '0s' } }, 'limits.banDuration']
    ]
    for (const [what, input, key] of cases) {
      it(what, async () => {
        await assertRejected(input, new RegExp(`"${escape(key)}"`))
      })
    }

    it('several problems are all reported', async () => {
      const path = await writeConfig({ api: { port: 70000 }, limits: { foo: 1 }, dataDir: '' })
      await assert.rejects(loadConfig(path), (err: Error) => {
        assert.equal(err.name, 'ConfigError')
        for (const key of ['api.port', 'limits.foo', 'dataDir']) assert.ok(err.message.includes(`"${key}"`), `${key} missing from: ${err.message}`)
        return true
      })
    })

    it('the message names the config file', async () => {
      const path = await writeConfig({ api: { port: 70000 } })
      await assert.rejects(loadConfig(path), configError(new RegExp(escape(path))))
    })
  })

  describe('files', () => {
    it('invalid JSON is a ConfigError that says so', async () => {
      await assertRejected('{ "dataDir": "./data", }', /JSON/)
      await assertRejected('', /JSON/)
    })

    it('JSON nested deeper than any config is a ConfigError, not a stack overflow (found by fuzzing)', async () => {
      const deep = `{"protocols":[{"module":"m","options":{"x":${'['.repeat(20_000)}${']'.repeat(20_000)}}}]}`
      await assertRejected(deep, /nested more than 32 levels/)
      assert.throws(() => resolveConfig(JSON.parse(deep)), configError(/nested/))
    })

    it('an object where a string belongs, with an odd "length", is a ConfigError naming the key (found by fuzzing)', async () => {
      await assertRejected('{"dataDir":{"length":{"toString":0}}}', /"dataDir"/)
      await assertRejected('{"protocols":[{"module":{"length":{"valueOf":1}}}]}', /"protocols\.0\.module"/)
    })

    it('JSON that is not an object is a ConfigError', async () => {
      for (const text of ['[]', 'null', '42', '"data"']) await assertRejected(text, /object/)
    })

    it('a missing file is a ConfigError naming the path', async () => {
      const path = join(dir.path, 'nope.json')
      await assert.rejects(loadConfig(path), configError(/nope\.json: no such config file/))
    })

    it('a folder in place of the file is a ConfigError', async () => {
      await assert.rejects(loadConfig(dir.path), configError(/cannot read/))
    })
  })

  describe('resolveConfig', () => {
    it('returns a frozen object', () => {
      const config = resolveConfig({}, { baseDir: '/srv' })
      assert.equal(Object.isFrozen(config), true)
      assert.throws(() => { (config as { dataDir: string }).dataDir = '/elsewhere' }, TypeError)
      assert.equal(config.dataDir, '/srv/data')
    })

    it('validates objects given in code like file contents', () => {
      assert.throws(() => resolveConfig({ api: { port: 70000 } }), configError(/"api\.port"/))
      assert.throws(() => resolveConfig(null), configError(/object/))
      assert.throws(() => resolveConfig([]), configError(/object/))
    })

    it('does not change its input', () => {
      const input = { dataDir: 'x', api: { port: 1 } }
      resolveConfig(input, { baseDir: '/srv' })
      assert.deepEqual(input, { dataDir: 'x', api: { port: 1 } })
    })
  })

  describe('the shipped configs', () => {
    it('config/default.json loads cleanly, with its data folder beside it', async () => {
      const path = repoConfig('default.json')
      const config = await loadConfig(path)
      assert.equal(config.dataDir, join(path, '..', 'data'))
      assert.equal(config.api.host, '127.0.0.1')
      assert.ok(config.listen.length > 0)
    })

    for (const name of ['seeder.json', 'private-swarm.json']) {
      it(`config/${name} loads cleanly`, async () => {
        await loadConfig(repoConfig(name))
      })
    }
  })
})
