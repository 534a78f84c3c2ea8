import assert from 'node:assert/strict'
import { Bitfield } from '../../../src/core/bitfield.js'
import { PieceLayout } from '../../../src/core/layout.js'
import { PiecePicker } from '../../../src/core/piece-picker.js'
import { Requester } from '../../../src/swarm/requester.js'
import { TokenBucket, rateLimit } from '../../../src/utils/token-bucket.js'
import { makeContent } from '../fixtures.js'
import type { PeerSession } from '../../../src/swarm/peer-session.js'

const PIECE = 16 * 1024
const COUNT = 12

/** A seed that takes requests and never answers: only when they are asked for matters here. */
function fakeSeed (): { session: PeerSession, askedAt: number[] } {
  const askedAt: number[] = []
  const started = performance.now()
  const remoteHas = new Bitfield(COUNT)
  for (let i = 0; i < COUNT; i++) remoteHas.set(i)
  const requested = new Set<number>()
  const session = {
    closed: false,
    chokedBy: false,
    snubbed: false,
    roundTripMs: 10,
    remoteHas,
    downloadMeter: { rate: () => 0 },
    get inflightBytes () { return requested.size * PIECE },
    isRequested: (i: number) => requested.has(i),
    refusedLately: () => false,
    request: (i: number) => { requested.add(i); askedAt.push(performance.now() - started) }
  } as unknown as PeerSession
  return { session, askedAt }
}

function requesterFor (session: PeerSession, rate: TokenBucket, backlogged = (): boolean => false): Requester {
  const manifest = makeContent([{ path: 'f.bin', size: COUNT * PIECE }], { pieceSize: PIECE }).manifest
  const picker = new PiecePicker(new Bitfield(COUNT), { maxDuplicateRequests: 2, randomFirstPieces: 0 })
  picker.addPeer(session.remoteHas)
  return new Requester({
    picker,
    layout: new PieceLayout(manifest),
    peers: new Map([['seed', session]]),
    rate,
    maxInflightBytesPerPeer: COUNT * PIECE,
    tuning: { firstWindowBytes: COUNT * PIECE, requestQueueSeconds: 1 },
    downloading: () => true,
    backlogged
  })
}

describe('swarm/requester', () => {
  it('unlimited: the whole window is asked for at once', () => {
    const { session, askedAt } = fakeSeed()
    requesterFor(session, new TokenBucket(0, 0)).fill(session)
    assert.equal(askedAt.length, COUNT)
  })

  it('asks for nothing while received pieces wait for the disk, and again once they do not', () => {
    const { session, askedAt } = fakeSeed()
    const disk = { behind: true }
    const requester = requesterFor(session, new TokenBucket(0, 0), () => disk.behind)
    requester.fill(session)
    assert.equal(askedAt.length, 0)
    disk.behind = false
    requester.fillAll()
    assert.equal(askedAt.length, COUNT)
  })

  it('under a download limit a piece is asked for once the rate has earned it: pay first, ask after', async () => {
    const rate = 64 * 1024 // a 16 KiB piece every 250 ms
    const { session, askedAt } = fakeSeed()
    const requester = requesterFor(session, rateLimit(rate))
    requester.fill(session)
    assert.equal(askedAt.length, 0, 'the first piece was asked for before the rate had earned it')
    await new Promise(resolve => setTimeout(resolve, 1200))
    requester.stop()
    // earned: the burst (a tenth of a second) at once, then 16 KiB every 250 ms
    const firstDue = (PIECE - rate / 10) / rate * 1000
    assert.ok(askedAt[0] >= firstDue - 20, `first asked for at ${askedAt[0].toFixed(0)} ms, before ${firstDue} ms`)
    assert.ok(askedAt.length >= 3 && askedAt.length <= 5, `${askedAt.length} pieces asked for in 1.2 s: ${askedAt.map(t => t.toFixed(0)).join(', ')}`)
    const gaps = askedAt.slice(1).map((t, i) => t - askedAt[i])
    for (const gap of gaps) assert.ok(gap >= 230, `pieces asked for ${gap.toFixed(0)} ms apart`)
  })
})
