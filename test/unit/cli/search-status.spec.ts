import assert from 'node:assert/strict'
import { SearchStatus, searchLine, shortId } from '../../../src/cli/search-status.js'
import type { GetProgressEvent, SearchReport } from '../../../src/swarm/types.js'

const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'

function seen (over: Partial<SearchReport> = {}): SearchReport {
  return {
    connections: 3,
    bootstrap: { addresses: ['/ip4/10.0.0.7/tcp/4001/p2p/x'], connected: 1, failedDials: 0 },
    privateSwarm: false,
    elapsed: 12_300,
    connectedPeers: 3,
    providers: 0,
    asked: 2,
    answers: { 'not-found': 2, stalled: 0, bad: 0, refused: 0, unreachable: 0 },
    ...over
  }
}

function searching (elapsed: number): GetProgressEvent {
  return { type: 'shoal:get:searching', contentId: CID, search: seen({ elapsed }) }
}

/** A stream that records what is written. */
function sink (isTTY: boolean, columns?: number): { writes: string[], isTTY: boolean, columns?: number, write: (text: string) => void } {
  const writes: string[] = []
  return { writes, isTTY, columns, write: (text) => { writes.push(text) } }
}

describe('cli/search-status', () => {
  it('one line: connections, providers, peers asked and what they said, seconds searched', () => {
    assert.equal(searchLine(CID, seen()), 'looking for bafkreigh2ak…a4s52zy (12 s): 3 connections, asked 2 peers: 2 don\'t have it')
    assert.equal(searchLine(CID, seen({ connections: 1, providers: 1, asked: 1, answers: { 'not-found': 0, stalled: 1, bad: 0, refused: 0, unreachable: 0 } })),
      'looking for bafkreigh2ak…a4s52zy (12 s): 1 connection, 1 provider, asked 1 peer: 1 stalled')
    assert.equal(searchLine(CID, seen({ asked: 0 })), 'looking for bafkreigh2ak…a4s52zy (12 s): 3 connections')
  })

  it('alone: says whether there are bootstrap peers, and how their dials went', () => {
    const alone = { connections: 0, connectedPeers: 0, asked: 0 }
    assert.match(searchLine(CID, seen({ ...alone, bootstrap: { addresses: [], connected: 0, failedDials: 0 } })), /: no connections, no bootstrap peers$/)
    assert.match(searchLine(CID, seen({ ...alone, bootstrap: { addresses: ['a'], connected: 0, failedDials: 0 } })), /: no connections yet, dialling the bootstrap peers$/)
    assert.match(searchLine(CID, seen({ ...alone, bootstrap: { addresses: ['a'], connected: 0, failedDials: 2, lastFailure: 'refused' } })), /: no connections \(2 bootstrap dials failed, connection refused\)$/)
    assert.match(searchLine(CID, seen({ ...alone, bootstrap: { addresses: ['a'], connected: 0, failedDials: 1, lastFailure: 'encryption' } })), /: no connections \(1 bootstrap dial failed, encryption failed: swarm key\?\)$/)
  })

  it('a node that sends the bare first event still gets a line; short ids stay whole', () => {
    assert.equal(searchLine(CID, undefined), 'looking for bafkreigh2ak…a4s52zy…')
    assert.equal(shortId('bafyshort'), 'bafyshort')
  })

  it('without a terminal: nothing for a search that ends at once, then a line per lineInterval, not one per report', () => {
    let now = 0
    const stream = sink(false)
    const status = new SearchStatus(stream, CID, { lineInterval: 5000, firstLineAfter: 1000, now: () => now })
    status.update(searching(0))
    assert.equal(stream.writes.length, 0)
    for (let second = 1; second <= 12; second++) {
      now = second * 1000
      status.update(searching(now))
    }
    assert.deepEqual(stream.writes.map(w => /\((\d+) s\)/.exec(w)?.[1]), ['1', '6', '11'])
    assert.ok(stream.writes.every(w => w.endsWith('\n') && !w.includes('\r')))
  })

  it('on a terminal: one line rewritten in place, cut to the width, cleared when the manifest arrives; later reports are ignored', () => {
    const stream = sink(true, 40)
    const status = new SearchStatus(stream, CID)
    status.update(searching(1000))
    status.update(searching(2000))
    assert.equal(stream.writes.length, 2)
    for (const write of stream.writes) {
      assert.ok(write.startsWith('\r') && write.endsWith('\x1b[K'))
      assert.ok(write.length - '\r\x1b[K'.length <= 39, `"${write}" is wider than the terminal`)
    }
    status.update({ type: 'shoal:get:manifest', contentId: CID, name: 'a', size: 1, pieceCount: 1 })
    assert.equal(stream.writes.at(-1), '\r\x1b[K')
    status.update(searching(3000))
    status.stop()
    assert.equal(stream.writes.length, 3, 'nothing more once the search is over')
  })
})
