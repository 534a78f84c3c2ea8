import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { TypedEventEmitter } from 'main-event'
import { hashInline } from '../../../src/core/piece-hash.js'
import { StreamPriorities } from '../../../src/swarm/stream-priorities.js'
import { readVerified } from '../../../src/swarm/verified-reader.js'
import type { SwarmEvents } from '../../../src/swarm/events.js'
import type { Swarm } from '../../../src/swarm/swarm.js'

const PIECE = 4

/** A swarm of `bytes` in pieces of 4 bytes; `have` says which are verified; `disk` what reads return. */
function fakeSwarm (bytes: Buffer) {
  const count = Math.ceil(bytes.length / PIECE)
  const hashes = Buffer.concat(Array.from({ length: count }, (_, i) => createHash('sha256').update(bytes.subarray(i * PIECE, (i + 1) * PIECE)).digest()))
  const have = new Set<number>()
  const disk = Buffer.from(bytes)
  const swarm = {
    contentId: 'c1',
    state: 'downloading',
    layout: { pieceSize: PIECE },
    manifest: { version: 1, name: 'x', directory: false, pieceSize: PIECE, files: [{ path: 'x', size: bytes.length }], pieceHashes: hashes },
    hasPiece: (i: number) => have.has(i),
    hashing: hashInline,
    readPiece: async (i: number) => disk.subarray(i * PIECE, Math.min(bytes.length, (i + 1) * PIECE))
  }
  return { swarm: swarm as unknown as Swarm & { state: string }, have, disk }
}

describe('swarm/verified-reader', () => {
  const bytes = Buffer.from('0123456789abcdefghij')

  it('yields a range in order, each piece only once it is verified, and puts the awaited piece first', async () => {
    const { swarm, have } = fakeSwarm(bytes)
    const events = new TypedEventEmitter<SwarmEvents>()
    const levels: Array<Map<number, number>> = []
    const priorities = new StreamPriorities((l) => { levels.push(l) }, 1)
    const out: string[] = []
    const reading = (async () => {
      for await (const chunk of readVerified({ swarm, events, cursor: priorities.cursor(), pieceWaitMs: 5000 }, 3, 10, AbortSignal.timeout(5000))) out.push(Buffer.from(chunk).toString())
    })()
    await new Promise(resolve => setTimeout(resolve, 20))
    assert.deepEqual(out, [], 'nothing before piece 0 is verified')
    assert.equal(levels.at(-1)?.get(0), 255)
    for (const index of [2, 1, 0]) {
      have.add(index)
      events.safeDispatchEvent('swarm:piece-verified', { detail: { contentId: 'c1', index } })
    }
    await reading
    assert.deepEqual(out.join(''), '3456789')
    assert.equal(levels.at(-1)?.size, 0, 'the reader\'s pieces are released when it ends')
  })

  it('a piece changed on disk fails the read; an abort or a stopped swarm ends the wait', async () => {
    const { swarm, have, disk } = fakeSwarm(bytes)
    const events = new TypedEventEmitter<SwarmEvents>()
    const priorities = new StreamPriorities(() => {}, 1)
    const read = async (signal: AbortSignal): Promise<void> => {
      for await (const _ of readVerified({ swarm, events, cursor: priorities.cursor(), pieceWaitMs: 5000 }, 0, 8, signal)) { /* drain */ }
    }
    have.add(0)
    disk[1] = 0x21
    await assert.rejects(read(AbortSignal.timeout(5000)), { name: 'StorageError' })
    disk[1] = bytes[1]
    const controller = new AbortController()
    const aborted = read(controller.signal)
    controller.abort(new Error('gone'))
    await assert.rejects(aborted, /gone/)
    const stopped = read(AbortSignal.timeout(5000))
    swarm.state = 'stopped'
    await assert.rejects(stopped, { name: 'StorageError' })
    assert.equal(priorities.open, 0)
  })

  it('gives up on a piece that does not come within pieceWaitMs', async () => {
    const { swarm } = fakeSwarm(bytes)
    const reader = readVerified({ swarm, events: new TypedEventEmitter<SwarmEvents>(), cursor: new StreamPriorities(() => {}, 1).cursor(), pieceWaitMs: 50 }, 0, 4, AbortSignal.timeout(5000))
    await assert.rejects(reader.next(), { name: 'DownloadTimeoutError' })
  })
})
