import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { markAsUntransferable } from 'node:worker_threads'
import { hashPiece } from '../../../src/core/piece-hash.js'
import { HashThread } from '../../../src/storage/hash-thread.js'

/** A piece in a buffer of its own, as the swarm's pool gives them (a piece-sized buffer, the piece at its start). */
function pooledPiece (size: number, length = size): Uint8Array {
  const piece = new Uint8Array(size).subarray(0, length)
  piece.set(randomBytes(length))
  return piece
}

/** A thread used at any rate, its worker up (before that, pieces are hashed inline). */
async function startedThread (): Promise<HashThread> {
  const thread = new HashThread({ fromRate: 0 })
  await thread.start()
  return thread
}

describe('storage/hash-thread', function () {
  this.timeout(20_000)

  it('hashes on its thread: the piece moves there and back, its bytes and digest intact', async () => {
    const thread = await startedThread()
    try {
      const pieces = Array.from({ length: 20 }, (_, i) => pooledPiece(64 * 1024, i === 19 ? 1000 : 64 * 1024))
      const expected = pieces.map(p => ({ digest: hashPiece(p), bytes: Buffer.from(p) }))
      const hashed = await Promise.all(pieces.map(async p => await thread.hash(p)))
      for (let i = 0; i < pieces.length; i++) {
        assert.equal(pieces[i].byteLength, 0, 'the buffer handed in moved to the thread')
        assert.ok(Buffer.from(hashed[i].digest).equals(expected[i].digest), `digest of piece ${i}`)
        assert.ok(Buffer.from(hashed[i].piece).equals(expected[i].bytes), `bytes of piece ${i}`)
        assert.equal(hashed[i].piece.buffer.byteLength, 64 * 1024, 'the whole buffer came back, for the pool')
      }
    } finally {
      await thread.stop()
    }
  })

  it('a piece in a buffer that cannot move stays where it is, and is hashed all the same', async () => {
    const thread = await startedThread()
    try {
      const piece = pooledPiece(1024)
      const bytes = Buffer.from(piece)
      markAsUntransferable(piece.buffer)
      const hashed = await thread.hash(piece)
      assert.equal(piece.byteLength, 1024, 'not moved away')
      assert.ok(Buffer.from(piece).equals(bytes))
      assert.ok(Buffer.from(hashed.piece).equals(bytes))
      assert.ok(Buffer.from(hashed.digest).equals(hashPiece(bytes)))
    } finally {
      await thread.stop()
    }
  })

  it('pieces that come slowly are hashed inline and start no thread; once they come fast, the thread takes them', async () => {
    const thread = new HashThread({ fromRate: 4 * 1024 * 1024 })
    const threadOf = (): unknown => (thread as unknown as { worker?: unknown }).worker
    try {
      const slow = pooledPiece(16 * 1024)
      assert.equal((await thread.hash(slow)).piece, slow)
      assert.equal(threadOf(), undefined, 'no thread for a piece now and then')
      const deadline = Date.now() + 10_000
      let moved = false
      while (!moved && Date.now() < deadline) {
        const piece = pooledPiece(256 * 1024)
        const bytes = Buffer.from(piece)
        const hashed = await thread.hash(piece)
        assert.ok(Buffer.from(hashed.digest).equals(hashPiece(bytes)))
        moved = piece.byteLength === 0
        if (!moved) await new Promise(resolve => setTimeout(resolve, 5))
      }
      assert.ok(moved, 'at 256 KiB every 5 ms the thread started and took the pieces')
    } finally {
      await thread.stop()
    }
  })

  it('before its thread is up, and after it stopped, pieces are hashed inline', async () => {
    const thread = new HashThread({ fromRate: 0 })
    const early = pooledPiece(1024)
    const hashedEarly = await thread.hash(early)
    assert.equal(hashedEarly.piece, early, 'not moved: the thread was not up yet')
    assert.ok(Buffer.from(hashedEarly.digest).equals(hashPiece(early)))
    await thread.stop()
    const late = pooledPiece(1024)
    const hashedLate = await thread.hash(late)
    assert.equal(hashedLate.piece, late)
    assert.ok(Buffer.from(hashedLate.digest).equals(hashPiece(late)))
  })

  it('pieces still with the thread when it stops are lost: their hashes reject', async () => {
    const thread = await startedThread()
    const pending = Array.from({ length: 50 }, () => thread.hash(pooledPiece(256 * 1024)))
    const settled = Promise.allSettled(pending)
    await thread.stop()
    const outcomes = await settled
    for (const o of outcomes) if (o.status === 'rejected') assert.match((o.reason as Error).message, /hashing thread stopped/)
    assert.ok(outcomes.some(o => o.status === 'rejected'), 'some were still on their way')
  })

  it('does not hold the process open once idle: a process that hashed a piece and has nothing left to do exits', () => {
    const module = new URL('../../../src/storage/hash-thread.js', import.meta.url).href
    const script = `
      import { HashThread } from '${module}'
      const thread = new HashThread({ fromRate: 0 })
      await thread.start()
      const hashed = await thread.hash(new Uint8Array(4096))
      console.log(hashed.piece.byteLength, hashed.piece.buffer !== undefined)`
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 15_000, encoding: 'utf8' })
    assert.equal(child.error, undefined, 'exited by itself within 15 s')
    assert.equal(child.status, 0, child.stderr)
    assert.equal(child.stdout.trim(), '4096 true')
  })
})
