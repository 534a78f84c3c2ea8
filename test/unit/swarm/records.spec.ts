import assert from 'node:assert/strict'
import { readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Bitfield } from '../../../src/core/bitfield.js'
import { FileSwarmRecords } from '../../../src/swarm/records.js'
import { tempDir } from '../../helpers/temp.js'
import type { SwarmRecord } from '../../../src/swarm/records.js'

describe('swarm/records', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  let records: FileSwarmRecords
  beforeEach(async () => {
    dir = await tempDir()
    records = new FileSwarmRecords(dir.path)
  })
  afterEach(async () => { await dir.cleanup() })

  const seed: SwarmRecord = { contentId: 'a', path: '/a', origin: 'seed', files: [[10, 1234]] }
  const download: SwarmRecord = { contentId: 'b', path: '/b', origin: 'download' }

  it('the paths downloads made: what --force may replace, kept across instances, mode 0600; a damaged file remembers nothing', async () => {
    assert.equal(await records.outputOf('/out/x'), undefined)
    await Promise.all([records.noteOutputs(['/out/x'], 'cid-1'), records.noteOutputs(['/out/y'], 'cid-2')])
    assert.equal(await records.outputOf('/out/x'), 'cid-1', 'a note made at the same time as another was lost')
    await records.noteOutputs(['/out/x', '/out/x.part'], 'cid-3')
    const again = new FileSwarmRecords(dir.path)
    assert.equal(await again.outputOf('/out/x'), 'cid-3')
    assert.equal(await again.outputOf('/out/x.part'), 'cid-3')
    assert.equal(await again.outputOf('/out/y'), 'cid-2')
    assert.equal((await stat(join(dir.path, 'outputs.json'))).mode & 0o777, 0o600)
    await writeFile(join(dir.path, 'outputs.json'), '{"version":1,"outputs":')
    assert.equal(await new FileSwarmRecords(dir.path).outputOf('/out/x'), undefined)
  })

  it('the swarm list: empty before the first save, then what was saved last', async () => {
    assert.deepEqual(await records.loadList(), [])
    await Promise.all([records.saveList([seed]), records.saveList([seed, download])])
    assert.deepEqual(await records.loadList(), [seed, download])
    assert.deepEqual((await readdir(dir.path)).sort(), ['swarms.json'], 'no temporary file left')
  })

  it('a damaged or unknown list is refused with a StorageError that says what to do', async () => {
    await writeFile(join(dir.path, 'swarms.json'), '{"version":1,"swarms":')
    await assert.rejects(records.loadList(), (err: Error) => err.name === 'StorageError' && /damaged.*move it away/.test(err.message))
    await writeFile(join(dir.path, 'swarms.json'), '{"version":2,"swarms":[]}')
    await assert.rejects(records.loadList(), /unknown format/)
  })

  it('manifests and have records, each under its content id', async () => {
    await records.saveManifest('a', Uint8Array.of(1, 2, 3))
    assert.deepEqual([...await records.loadManifest('a')], [1, 2, 3])
    const have = new Bitfield(10)
    have.set(4)
    await records.have('a').save(have)
    assert.equal((await records.have('a').load(10))?.have.has(4), true)
    assert.deepEqual(await readdir(join(dir.path, 'swarms')), ['a.have'])
    await records.have('a').remove()
    assert.equal(await records.have('a').load(10), undefined)
  })
})
