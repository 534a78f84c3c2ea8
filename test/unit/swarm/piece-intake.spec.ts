import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { defaultLogger } from '@libp2p/logger'
import { Bitfield } from '../../../src/core/bitfield.js'
import { PieceLayout } from '../../../src/core/layout.js'
import { hashInline, hashPiece } from '../../../src/core/piece-hash.js'
import { PiecePicker } from '../../../src/core/piece-picker.js'
import { PICKING } from '../../../src/config/defaults.js'
import { MemoryPieceStore } from '../../../src/storage/memory-store.js'
import { PieceIntake } from '../../../src/swarm/piece-intake.js'
import { SelectedFiles } from '../../../src/swarm/selected-files.js'
import { isNamedError, makeContent, pieceOf } from '../fixtures.js'
import type { Content } from '../fixtures.js'
import type { PieceHashing } from '../../../src/core/piece-hash.js'
import type { IntakePeer } from '../../../src/swarm/piece-intake.js'

const PIECE = 16 * 1024
const PIECES = 3

/** A peer as the intake sees it: records what it is asked. */
class FakePeer implements IntakePeer {
  closed = false
  bad = 0
  readonly requested = new Set<number>()
  readonly abandoned: number[] = []
  readonly announced: number[] = []
  closedWith?: Error
  constructor (readonly peerId: string, readonly isSeed = false) {}
  isRequested (index: number): boolean { return this.requested.has(index) }
  abandon (index: number): void { this.abandoned.push(index) }
  announce (index: number): void { this.announced.push(index) }
  recordBadPiece (): number { return ++this.bad }
  close (err?: Error): void { this.closed = true; this.closedWith = err }
}

interface Setup {
  content: Content
  have: Bitfield
  store: MemoryPieceStore
  intake: PieceIntake<FakePeer>
  peers: Map<string, FakePeer>
  calls: string[]
  given: Uint8Array[]
  state: { downloading: boolean }
}

function setup (hashing: PieceHashing = hashInline, maxUnwrittenBytes = 32 * 1024 * 1024): Setup {
  const content = makeContent([{ path: 'file.bin', size: (PIECES - 1) * PIECE + 500 }], { pieceSize: PIECE })
  const layout = new PieceLayout(content.manifest)
  const have = new Bitfield(PIECES)
  const store = new MemoryPieceStore(content.manifest)
  const peers = new Map<string, FakePeer>()
  const calls: string[] = []
  const given: Uint8Array[] = []
  const state = { downloading: true }
  const intake = new PieceIntake<FakePeer>({
    manifest: content.manifest,
    layout,
    have,
    picker: new PiecePicker(have, { ...PICKING, sequential: false }),
    selected: new SelectedFiles(layout, have),
    store,
    peers,
    buffers: { give: (buffer) => { given.push(buffer) } },
    hashing,
    maxUnwrittenBytes,
    maxBadPieces: 2,
    downloading: () => state.downloading,
    work: {
      release: (index) => { calls.push(`release ${index}`) },
      fill: (peer) => { calls.push(`fill ${peer.peerId}`) },
      fillAll: () => { calls.push('fillAll') },
      pieceAdded: () => { calls.push('pieceAdded') },
      done: () => { calls.push('done') },
      failed: (err) => { calls.push(`failed ${err.message}`) }
    },
    events: {
      received: (peerId, index) => { calls.push(`received ${peerId} ${index}`) },
      pieceFailed: (peerId, index, reason) => { calls.push(`pieceFailed ${peerId} ${index} ${reason}`) },
      misbehaved: (peerId, reason, fatal) => { calls.push(`misbehaved ${peerId} ${reason}${fatal ? ' fatal' : ''}`) },
      verified: (index) => { calls.push(`verified ${index}`) },
      progress: () => { calls.push('progress') }
    },
    log: defaultLogger().forComponent('shoal:test:intake')
  })
  return { content, have, store, intake, peers, calls, given, state }
}

/** Hand the intake `data` as piece `index` from `peer`, as a session would. */
function receive (intake: PieceIntake<FakePeer>, peer: FakePeer, index: number, data: Uint8Array): Uint8Array {
  const piece = Uint8Array.from(data)
  intake.received(peer, index, piece, Date.now())
  return piece
}

const settle = async (): Promise<void> => { for (let i = 0; i < 5; i++) await new Promise(resolve => setImmediate(resolve)) }

describe('swarm/piece-intake', () => {
  it('a good piece is written, then had, counted and announced to every peer, seeds too; its buffer goes back', async () => {
    const { content, have, store, intake, peers, calls, given } = setup()
    const sender = new FakePeer('sender', true)
    const leecher = new FakePeer('leecher')
    peers.set('sender', sender).set('leecher', leecher)
    const piece = receive(intake, sender, 1, pieceOf(content, 1))
    assert.equal(have.has(1), false, 'not had before it is written')
    await settle()
    assert.ok(Buffer.from(await store.readPiece(1)).equals(pieceOf(content, 1)))
    assert.equal(have.has(1), true)
    assert.equal(intake.downloaded, PIECE)
    assert.equal(intake.meter.bytes, PIECE)
    assert.deepEqual(leecher.announced, [1])
    // the seed that added the content tells others to get a piece elsewhere only if it knows who has it
    assert.deepEqual(sender.announced, [1])
    assert.deepEqual(calls, ['received sender 1', 'fill sender', 'verified 1', 'progress', 'pieceAdded'])
    assert.deepEqual(given, [piece])
  })

  it('the last piece had: done, once', async () => {
    const { content, intake, calls } = setup()
    const sender = new FakePeer('sender', true)
    for (let i = 0; i < PIECES; i++) receive(intake, sender, i, pieceOf(content, i))
    await settle()
    assert.deepEqual(calls.filter(c => c === 'done' || c === 'pieceAdded'), ['pieceAdded', 'pieceAdded', 'done'])
  })

  it('a copy of a piece had or being written is thrown away (wasted), and the sender asked for more', async () => {
    const { content, intake, calls, given } = setup()
    const a = new FakePeer('a')
    const b = new FakePeer('b')
    receive(intake, a, 0, pieceOf(content, 0))
    const copy = receive(intake, b, 0, pieceOf(content, 0))
    assert.deepEqual(given, [copy], 'the copy goes back at once')
    assert.equal(intake.wasted, PIECE)
    assert.ok(calls.includes('fill b'))
    await settle()
    assert.equal(intake.downloaded, PIECE)
  })

  it('endgame: the other copies asked for are cancelled and their requests released', () => {
    const { content, intake, peers, calls } = setup()
    const sender = new FakePeer('sender')
    const other = new FakePeer('other')
    other.requested.add(2)
    peers.set('sender', sender).set('other', other)
    receive(intake, sender, 2, pieceOf(content, 2))
    assert.deepEqual(other.abandoned, [2])
    assert.ok(calls.includes('release 2'))
  })

  it('a bad piece is never written: wasted, blamed on its sender, and fatal at maxBadPieces', async () => {
    const { have, store, intake, calls } = setup()
    const liar = new FakePeer('liar')
    receive(intake, liar, 0, randomBytes(PIECE))
    await settle()
    assert.equal(have.has(0), false)
    await assert.rejects(store.readPiece(0))
    assert.equal(intake.wasted, PIECE)
    assert.ok(calls.includes('pieceFailed liar 0 hash'))
    assert.ok(calls.includes('misbehaved liar sent 1 piece(s) that failed verification'))
    assert.ok(calls.includes('fillAll'), 'the piece is asked for again')
    assert.equal(liar.closed, false)
    receive(intake, liar, 0, randomBytes(PIECE))
    await settle()
    assert.ok(calls.includes('misbehaved liar sent 2 piece(s) that failed verification fatal'))
    assert.ok(isNamedError('ProtocolViolationError')(liar.closedWith))
  })

  it('a failed write fails the swarm; the piece may be asked for again', async () => {
    const { content, have, store, intake, calls } = setup()
    store.writePiece = async () => { throw new Error('disk full') }
    const sender = new FakePeer('sender')
    receive(intake, sender, 0, pieceOf(content, 0))
    await settle()
    assert.deepEqual(calls.slice(-2), ['pieceFailed sender 0 write', 'failed disk full'])
    assert.equal(have.has(0), false)
    assert.equal(intake.downloaded, 0)
  })

  it('a piece written after the swarm stopped downloading is not counted or announced', async () => {
    const { content, intake, peers, calls, state } = setup()
    const leecher = new FakePeer('leecher')
    peers.set('leecher', leecher)
    receive(intake, new FakePeer('sender'), 0, pieceOf(content, 0))
    state.downloading = false
    await settle()
    assert.equal(intake.downloaded, 0)
    assert.deepEqual(leecher.announced, [])
    assert.ok(!calls.includes('verified 0'))
  })

  it('a piece the hashing moved is written, and given back, from where it was moved to', async () => {
    const moved: Uint8Array[] = []
    const moving: PieceHashing = {
      hash: async (piece) => {
        const copy = Uint8Array.from(piece)
        piece.fill(0) // the old place is no longer the piece's
        moved.push(copy)
        return { digest: hashPiece(copy), piece: copy }
      }
    }
    const { content, have, store, intake, given } = setup(moving)
    receive(intake, new FakePeer('sender'), 1, pieceOf(content, 1))
    await settle()
    assert.equal(have.has(1), true)
    assert.ok(Buffer.from(await store.readPiece(1)).equals(pieceOf(content, 1)))
    assert.deepEqual(given, moved, 'the buffer handed back goes to the pool')
  })

  it('a piece lost to the hashing (its thread failed) is asked for again, blamed on nobody, its buffer not reused', async () => {
    const failing: PieceHashing = { hash: async () => { throw new Error('the hashing thread exited with code 1') } }
    const { content, have, store, intake, calls, given } = setup(failing)
    const sender = new FakePeer('sender')
    receive(intake, sender, 0, pieceOf(content, 0))
    await settle()
    assert.equal(have.has(0), false)
    await assert.rejects(store.readPiece(0))
    assert.ok(calls.includes('fillAll'), 'asked for again')
    assert.ok(!calls.some(c => c.startsWith('misbehaved') || c.startsWith('pieceFailed') || c.startsWith('failed')), calls.join(', '))
    assert.equal(sender.bad, 0)
    assert.deepEqual(given, [], 'its buffer went with the thread')
    receive(intake, sender, 0, pieceOf(content, 0))
    await settle()
    assert.equal(intake.wasted, 0, 'a new copy is taken in, not thrown away as had or being written')
  })

  it('a swarm stopped while its piece is hashed writes nothing, and the buffer goes back', async () => {
    let release: () => void = () => {}
    const slow: PieceHashing = { hash: async (piece) => { await new Promise<void>(resolve => { release = resolve }); return { digest: hashPiece(piece), piece } } }
    const { content, store, intake, state, given } = setup(slow)
    const piece = receive(intake, new FakePeer('sender'), 0, pieceOf(content, 0))
    await settle()
    state.downloading = false
    release()
    await settle()
    await assert.rejects(store.readPiece(0), 'not written')
    assert.deepEqual(given, [piece])
  })

  it('backlogged while the bytes received and not yet written reach the limit (two pieces at least); the swarm asked for more once writes catch up', async () => {
    const { content, store, intake, calls } = setup(hashInline, 1)
    const writes: Array<() => void> = []
    const write = store.writePiece.bind(store)
    store.writePiece = async (...args) => { await new Promise<void>(resolve => writes.push(resolve)); await write(...args) }
    const sender = new FakePeer('sender')
    receive(intake, sender, 0, pieceOf(content, 0))
    await settle()
    assert.equal(intake.backlogged, false, 'one piece waits: under two pieces')
    receive(intake, sender, 1, pieceOf(content, 1))
    await settle()
    assert.equal(intake.backlogged, true)
    assert.equal(writes.length, 2)
    calls.length = 0
    writes.shift()?.()
    await settle()
    assert.equal(intake.backlogged, false)
    assert.deepEqual(calls.filter(c => c === 'fillAll'), ['fillAll'], 'asked for more once')
    writes.shift()?.()
    await settle()
    assert.deepEqual(calls.filter(c => c === 'fillAll'), ['fillAll'], 'not again: it was not backlogged')
  })

  it('a bad piece, a lost one and a duplicate leave nothing counted as waiting for the disk', async () => {
    const { content, intake } = setup(hashInline, 1)
    const sender = new FakePeer('sender')
    receive(intake, sender, 0, randomBytes(PIECE))
    receive(intake, sender, 1, pieceOf(content, 1))
    receive(intake, sender, 1, pieceOf(content, 1))
    await settle()
    assert.equal((intake as unknown as { unwritten: number }).unwritten, 0)
    assert.equal(intake.backlogged, false)
  })
})
