import assert from 'node:assert/strict'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { ShoalProcess, explain, killAll, sha256, tree } from './helpers/shoal-process.js'
import type { NodeStatus, RunResult } from './helpers/shoal-process.js'

const MiB = 1024 * 1024
const UNICODE_NAME = 'naïve – 日本語 ✓.txt'

/**
 * A folder with nested folders, an empty file, a unicode name and files that straddle pieces;
 * returns its total size in bytes.
 */
async function makeFolder (path: string): Promise<number> {
  await mkdir(join(path, 'a', 'b', 'c'), { recursive: true })
  await mkdir(join(path, 'ünïcode dir'), { recursive: true })
  await randomFile(join(path, 'a', 'one.bin'), 700_001)
  await randomFile(join(path, 'a', 'b', 'two.bin'), 3)
  await randomFile(join(path, 'a', 'b', 'c', 'three.bin'), 262_144)
  await writeFile(join(path, 'empty.txt'), '')
  await writeFile(join(path, UNICODE_NAME), 'héllo wörld\n')
  await randomFile(join(path, 'ünïcode dir', 'inner.bin'), 123_457)
  return 700_001 + 3 + 262_144 + Buffer.byteLength('héllo wörld\n') + 123_457
}

function assertGetOk (r: RunResult, what: string): void {
  assert.equal(r.code, 0, `get ${what} failed: ${explain(r)}`)
}

/** The status fields the contract names, with their types. */
function assertContractStatus (s: NodeStatus): void {
  assert.equal(typeof s.peerId, 'string')
  assert.ok(s.peerId.length > 0, 'peerId is empty')
  assert.ok(Array.isArray(s.addresses) && s.addresses.length > 0, `no addresses: ${JSON.stringify(s.addresses)}`)
  for (const a of s.addresses) {
    assert.equal(typeof a, 'string')
    assert.ok(a.includes('/p2p/'), `address without /p2p/: ${a}`)
    assert.ok(a.endsWith(`/p2p/${s.peerId}`), `address is not this node's: ${a}`)
  }
  assert.ok(Array.isArray(s.swarms), 'swarms is not an array')
  for (const w of s.swarms) {
    assert.equal(typeof w.contentId, 'string')
    assert.equal(typeof w.name, 'string')
    assert.equal(typeof w.state, 'string')
    for (const key of ['size', 'pieceCount', 'piecesHave', 'peers', 'uploaded', 'downloaded'] as const) {
      assert.equal(typeof w[key], 'number', `swarms[].${key} is ${typeof w[key]} in ${JSON.stringify(w)}`)
      assert.ok(Number.isFinite(w[key]) && w[key] >= 0, `swarms[].${key} = ${w[key]}`)
    }
  }
}

function swarmOf (s: NodeStatus, contentId: string): NodeStatus['swarms'][number] {
  const w = s.swarms.find(w => w.contentId === contentId)
  assert.ok(w !== undefined, `no swarm ${contentId} in ${JSON.stringify(s.swarms)}`)
  return w
}

function assertSeedingComplete (s: NodeStatus, contentId: string, name: string, size: number): void {
  const w = swarmOf(s, contentId)
  assert.equal(w.name, name)
  assert.equal(w.size, size)
  assert.ok(w.pieceCount > 0, `pieceCount ${w.pieceCount}`)
  assert.equal(w.piecesHave, w.pieceCount, `swarm ${name} has ${w.piecesHave}/${w.pieceCount} pieces`)
  assert.equal(w.state, 'seeding')
}

describe('e2e: a swarm of real shoal processes', function () {
  this.timeout(150_000)
  let dir: { path: string, cleanup: () => Promise<void> }

  beforeEach(async () => { dir = await tempDir('shoal-e2e-swarm-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  /** A seeder and `n` leechers that bootstrap to the seeder's first address. */
  async function startSwarm (n: number): Promise<{ seeder: ShoalProcess, leechers: ShoalProcess[] }> {
    const seeder = await ShoalProcess.create(join(dir.path, 'seeder'))
    const boot = (await seeder.status()).addresses[0]
    const leechers = await Promise.all(Array.from({ length: n }, async (_, i) =>
      await ShoalProcess.create(join(dir.path, `leecher${i + 1}`), { bootstrap: [boot] })))
    return { seeder, leechers }
  }

  it('a 32 MiB file and a folder reach three leechers byte-identical, fetched concurrently', async () => {
    const file = join(dir.path, 'file.bin')
    const folder = join(dir.path, 'folder')
    await randomFile(file, 32 * MiB)
    const folderSize = await makeFolder(folder)
    const { seeder, leechers } = await startSwarm(3)
    const fileId = await seeder.add(file)
    const folderId = await seeder.add(folder)
    assert.notEqual(fileId, folderId)

    const started = Date.now()
    const results = await Promise.all(leechers.map(async (l, i) => {
      const gotFile = await l.run(['get', fileId, '--output', join(dir.path, `out${i + 1}.bin`)], { timeoutMs: 120_000 })
      const gotFolder = await l.run(['get', folderId, '--output', join(dir.path, `outdir${i + 1}`)], { timeoutMs: 60_000 })
      return { gotFile, gotFolder }
    }))
    const seconds = (Date.now() - started) / 1000
    results.forEach(({ gotFile, gotFolder }, i) => {
      assertGetOk(gotFile, `file on leecher ${i + 1}`)
      assertGetOk(gotFolder, `folder on leecher ${i + 1}`)
    })

    const fileHash = await sha256(file)
    const folderTree = await tree(folder)
    assert.ok(folderTree.some(e => e.startsWith(`${UNICODE_NAME} `)), 'fixture lacks the unicode name')
    for (let i = 1; i <= 3; i++) {
      assert.equal(await sha256(join(dir.path, `out${i}.bin`)), fileHash, `leecher ${i}: file differs`)
      assert.deepEqual(await tree(join(dir.path, `outdir${i}`)), folderTree, `leecher ${i}: folder differs`)
    }

    // every node now seeds both, complete; the contract's status fields are all there
    for (const node of [seeder, ...leechers]) {
      const s = await node.status()
      assertContractStatus(s)
      assertSeedingComplete(s, fileId, 'file.bin', 32 * MiB)
      assertSeedingComplete(s, folderId, 'folder', folderSize)
    }
    for (const [i, l] of leechers.entries()) {
      const w = swarmOf(await l.status(), fileId)
      assert.ok(w.downloaded >= 32 * MiB, `leecher ${i + 1} reports downloaded ${w.downloaded} for a 32 MiB file`)
    }
    const seeded = swarmOf(await seeder.status(), fileId)
    assert.ok(seeded.uploaded > 0, `seeder reports uploaded ${seeded.uploaded}`)
    assert.equal(seeded.downloaded, 0, 'the seeder downloaded its own content')
    console.log(`      (32 MiB to 3 leechers in ${seconds.toFixed(1)} s, with the folder)`)
  })

  it('status --peers during a download: "1 peer", and each peer\'s choke state in words from our side', async () => {
    const file = join(dir.path, 'slow.bin')
    await randomFile(file, 6 * MiB)
    const seeder = await ShoalProcess.create(join(dir.path, 'seeder'), { limits: { uploadRate: MiB } })
    const leecher = await ShoalProcess.create(join(dir.path, 'leecher'), { bootstrap: [(await seeder.status()).addresses[0]] })
    const fileId = await seeder.add(file)
    const getting = leecher.run(['get', fileId, '--output', join(dir.path, 'out.bin')], { timeoutMs: 60_000 })
    let text = ''
    for (let tries = 0; tries < 40 && !/ 1 peer {2}/.test(text); tries++) {
      await new Promise(resolve => setTimeout(resolve, 250))
      text = (await leecher.shoal('status', '--peers')).stdout
    }
    assert.match(text, /downloading .* 1 peer {2}up /, text)
    assert.match(text, new RegExp(`${(await seeder.status()).peerId} {2}seed, we (choke|serve) them, they serve us {2}up `), text)
    assert.doesNotMatch(text, /1 peers|chokes us|unchoked/, text)
    assertGetOk(await getting, 'slow.bin')
  })

  it('adding the same file or folder twice prints the same content id', async () => {
    const file = join(dir.path, 'same.bin')
    const folder = join(dir.path, 'folder')
    await randomFile(file, 3 * MiB + 17)
    await makeFolder(folder)
    const seeder = await ShoalProcess.create(join(dir.path, 'seeder'))
    const first = await seeder.add(file)
    assert.match(first, /^b[a-z2-7]+$/, `not a CIDv1 in base32: ${first}`)
    assert.equal(await seeder.add(file), first)
    const folderId = await seeder.add(folder)
    assert.equal(await seeder.add(folder), folderId)
    // adding twice does not make two swarms
    const ids = (await seeder.status()).swarms.map(w => w.contentId).sort()
    assert.deepEqual(ids, [first, folderId].sort())
  })

  it('get without --output puts the content under its own name in the working directory', async () => {
    const file = join(dir.path, 'src', 'report ü.bin')
    const folder = join(dir.path, 'src', 'my folder')
    await mkdir(join(dir.path, 'src'))
    await randomFile(file, 1 * MiB + 5)
    await makeFolder(folder)
    const { seeder, leechers: [leecher] } = await startSwarm(1)
    const fileId = await seeder.add(file)
    const folderId = await seeder.add(folder)

    const cwd = join(dir.path, 'cwd')
    await mkdir(cwd)
    assertGetOk(await leecher.run(['get', fileId], { cwd }), 'file')
    assertGetOk(await leecher.run(['get', folderId], { cwd }), 'folder')
    assert.equal(await sha256(join(cwd, basename(file))), await sha256(file))
    assert.deepEqual(await tree(join(cwd, basename(folder))), await tree(folder))
    assert.deepEqual((await readdir(cwd)).sort(), [basename(folder), basename(file)].sort(),
      'only the two items land in the working directory')
  })
})
