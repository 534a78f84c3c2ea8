/**
 * `shoal get CID --only PATH…` with real processes: only the named files are written, `status
 * --json --files` shows each file's progress, `shoal select` changes the selection of a
 * running download, an unknown path is one clear line, and a get without --only completes the rest.
 */
import assert from 'node:assert/strict'
import { mkdir, readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { ShoalProcess, explain, killAll, sha256, tree } from './helpers/shoal-process.js'

const KiB = 1024

async function filesIn (root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries.filter(e => e.isFile()).map(e => relative(root, join(e.parentPath, e.name))).sort()
}

interface FileStatus { path: string, size: number, selected: boolean, bytesVerified: number, complete: boolean }

describe('e2e: get --only and status --files', function () {
  this.timeout(180_000)
  let dir: { path: string, cleanup: () => Promise<void> }

  beforeEach(async () => { dir = await tempDir('shoal-e2e-select-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  it('fetches only the files named, shows them per file, takes more with select, and completes with a plain get', async () => {
    const source = join(dir.path, 'src', 'album')
    await mkdir(join(source, 'photos'), { recursive: true })
    // sizes that are no multiple of the 64 KiB piece: every file shares a piece with its neighbour
    await randomFile(join(source, 'photos', 'one.jpg'), 300 * KiB + 7)
    await randomFile(join(source, 'photos', 'two.jpg'), 200 * KiB + 11)
    await randomFile(join(source, 'video.webm'), 900 * KiB + 13)
    const seeder = await ShoalProcess.create(join(dir.path, 'seeder'), { content: { pieceSize: 64 * KiB } })
    const contentId = await seeder.add(source)
    const leecher = await ShoalProcess.create(join(dir.path, 'leecher'), { bootstrap: [(await seeder.status()).addresses[0]] })
    const output = join(dir.path, 'out', 'album')

    const unknown = await leecher.shoal('get', contentId, '--output', output, '--only', 'photo')
    assert.equal(unknown.code, 1, explain(unknown))
    assert.match(unknown.stderr, /^shoal: "photo" is not a file or folder of album; did you mean "photos"\?$/m)

    const got = await leecher.shoal('get', contentId, '--output', output, '--only', 'photos/two.jpg')
    assert.equal(got.code, 0, explain(got))
    assert.deepEqual(await filesIn(output), ['photos/two.jpg'])
    assert.equal(await sha256(join(output, 'photos', 'two.jpg')), await sha256(join(source, 'photos', 'two.jpg')))

    const status = await leecher.shoal('status', '--json', '--files')
    assert.equal(status.code, 0, explain(status))
    const swarm = (JSON.parse(status.stdout) as { swarms: Array<{ contentId: string, state: string, only?: string[], files: FileStatus[] }> }).swarms.find(s => s.contentId === contentId)
    assert.equal(swarm?.state, 'seeding')
    assert.deepEqual(swarm?.only, ['photos/two.jpg'])
    assert.deepEqual(swarm?.files.map(f => [f.path, f.selected, f.complete]), [
      ['photos/one.jpg', false, false],
      ['photos/two.jpg', true, true],
      ['video.webm', false, false]
    ])
    assert.equal(swarm?.files[1].bytesVerified, 200 * KiB + 11)
    const text = await leecher.shoal('status', '--files')
    assert.match(text.stdout, /100%\s+200\.\d KiB\s+complete\s+photos\/two\.jpg/)
    assert.match(text.stdout, /not selected\s+video\.webm/)

    // several paths after one --only; select changes the selection of the download
    const selected = await leecher.shoal('select', contentId, 'photos')
    assert.equal(selected.code, 0, explain(selected))
    assert.match(selected.stdout, /2 file\(s\) selected: photos\/one\.jpg, photos\/two\.jpg/)
    const more = await leecher.shoal('get', contentId, '--output', output, '--only', 'photos', 'video.webm')
    assert.equal(more.code, 0, explain(more))
    const rest = await leecher.shoal('get', contentId, '--output', output)
    assert.equal(rest.code, 0, explain(rest))
    assert.deepEqual(await tree(output), await tree(source))
    const whole = await leecher.status()
    assert.equal(whole.swarms[0].piecesHave, whole.swarms[0].pieceCount)
  })
})
