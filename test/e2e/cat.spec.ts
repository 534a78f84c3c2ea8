/**
 * `shoal cat` with real processes: a leecher's node streams content it does not hold yet
 * through its gateway to stdout (hashed as it comes, as `| sha256sum` would), `--range` gives
 * exactly those bytes, a reader that leaves early ends it quietly, and bad input is one line.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomFile, tempDir } from '../helpers/temp.js'
import { NODE, SHOAL_JS, STACK_LINE, ShoalProcess, explain, killAll } from './helpers/shoal-process.js'

const MiB = 1024 * 1024

interface CatResult { code: number | null, bytes: number, sha256: string, head: Buffer, stderr: string }

/** `shoal cat ARGS` with stdout hashed as it arrives; `headBytes` kept to compare; `closeAfter` closes the pipe early. */
async function cat (node: ShoalProcess, args: string[], closeAfter?: number): Promise<CatResult> {
  const child = spawn(NODE, [SHOAL_JS, 'cat', ...args, '--config', node.configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOAL_DEBUG: '' } })
  const hash = createHash('sha256')
  const kept: Buffer[] = []
  let bytes = 0
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
  child.stdout.on('data', (chunk: Buffer) => {
    hash.update(chunk)
    bytes += chunk.length
    if (kept.length < 64) kept.push(chunk)
    if (closeAfter !== undefined && bytes >= closeAfter) child.stdout.destroy()
  })
  const code = await new Promise<number | null>(resolve => { child.once('close', (c) => { resolve(c) }) })
  return { code, bytes, sha256: hash.digest('hex'), head: Buffer.concat(kept), stderr }
}

describe('e2e: shoal cat', function () {
  this.timeout(180_000)
  let dir: { path: string, cleanup: () => Promise<void> }

  beforeEach(async () => { dir = await tempDir('shoal-e2e-cat-') })
  afterEach(async () => {
    await killAll()
    await dir.cleanup()
  })

  it('streams content the node does not hold to stdout (its hash is the source\'s), --range gives those bytes, and an early close is quiet', async () => {
    const source = join(dir.path, 'src', 'movie.webm')
    await mkdir(join(dir.path, 'src'), { recursive: true })
    await randomFile(source, 6 * MiB + 123)
    const bytes = await readFile(source)
    const seeder = await ShoalProcess.create(join(dir.path, 'seeder'), { content: { pieceSize: 256 * 1024 } })
    const contentId = await seeder.add(source)
    const leecher = await ShoalProcess.create(join(dir.path, 'leecher'), { bootstrap: [(await seeder.status()).addresses[0]] })

    const whole = await cat(leecher, [contentId])
    assert.equal(whole.code, 0, whole.stderr)
    assert.equal(whole.bytes, bytes.length)
    assert.equal(whole.sha256, createHash('sha256').update(bytes).digest('hex'))

    const start = 256 * 1024 - 5
    const part = await cat(leecher, [contentId, '--range', `${start}-${start + 9999}`])
    assert.equal(part.code, 0, part.stderr)
    assert.ok(part.head.equals(bytes.subarray(start, start + 10000)), 'the range differs from the source')
    const tail = await cat(leecher, [contentId, '--range=-10'])
    assert.ok(tail.head.equals(bytes.subarray(bytes.length - 10)))

    const early = await cat(leecher, [contentId], 100_000)
    assert.equal(early.code, 0, `exit ${early.code}: ${early.stderr}`)
    assert.doesNotMatch(early.stderr, STACK_LINE)

    const past = await cat(leecher, [contentId, '--range', `${bytes.length}-`])
    assert.equal(past.code, 1)
    assert.match(past.stderr, /^shoal: --range is past the end of .* \(\d+ bytes\)\n$/)
    const bad = await leecher.shoal('cat', contentId, '--range', '5-2')
    assert.equal(bad.code, 2, explain(bad))
    assert.match(bad.stderr, /^shoal: --range: 5-2 ends before it starts\n/)
    const status = await leecher.status() as unknown as { gatewayUrl: string }
    assert.match(status.gatewayUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('a file of a folder by CID/PATH', async () => {
    const root = join(dir.path, 'src', 'album')
    await mkdir(join(root, 'disc 2'), { recursive: true })
    await randomFile(join(root, 'a.bin'), 1000)
    await randomFile(join(root, 'disc 2', 'track.ogg'), 300_000)
    const seeder = await ShoalProcess.create(join(dir.path, 'seeder'))
    const contentId = await seeder.add(root)
    const got = await cat(seeder, [`${contentId}/disc 2/track.ogg`])
    assert.equal(got.code, 0, got.stderr)
    assert.equal(got.sha256, createHash('sha256').update(await readFile(join(root, 'disc 2', 'track.ogg'))).digest('hex'))
    const missing = await cat(seeder, [`${contentId}/nope`])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /^shoal: no such file in /)
  })
})
