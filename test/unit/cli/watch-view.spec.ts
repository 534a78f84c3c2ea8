import assert from 'node:assert/strict'
import { eta, swarmWatchLine, watchFrame } from '../../../src/cli/watch-view.js'
import type { NodeStatus } from '../../../src/node/shoal-node.js'
import type { SwarmStatus } from '../../../src/swarm/types.js'

const MiB = 1024 * 1024

function swarm (over: Partial<SwarmStatus> = {}): SwarmStatus {
  return {
    contentId: 'bafkreiexample',
    name: 'movie.mkv',
    path: '/tmp/movie.mkv',
    directory: false,
    size: 10 * MiB,
    pieceSize: MiB,
    pieceCount: 10,
    piecesHave: 4,
    state: 'downloading',
    peers: 3,
    uploaded: 0,
    downloaded: 4 * MiB,
    uploadRate: 1024,
    downloadRate: MiB,
    startedAt: 0,
    ...over
  }
}

function node (swarms: SwarmStatus[]): NodeStatus {
  return { peerId: '12D3KooWexample', addresses: [], connections: 2, reachability: 'unknown', confirmedAddresses: [], swarms, bans: [], protocols: [] }
}

const at = new Date('2026-12-05T20:00:07Z')

describe('cli/watch-view', () => {
  it('a swarm line: name, state, progress bar, rates, peers, ETA at the present rate, content id', () => {
    const line = swarmWatchLine(swarm())
    assert.equal(line, 'movie.mkv  downloading  [########------------]  40% of 10.0 MiB  down 1.00 MiB/s  up 1.00 KiB/s  3 peers  ETA 6s  bafkreiexample')
  })

  it('ETA: "--" while nothing comes or the swarm is not downloading, "-" once complete, never NaN or Infinity', () => {
    assert.equal(eta(swarm({ downloadRate: 0 })), '--')
    assert.equal(eta(swarm({ state: 'stopped' })), '--')
    assert.equal(eta(swarm({ piecesHave: 10, state: 'seeding' })), '-')
    assert.equal(eta(swarm({ pieceCount: 0, piecesHave: 0, size: 0 })), '-')
    assert.equal(eta(swarm({ downloadRate: 1024 })), '1h42m')
  })

  it('the node line sums the swarms\' rates; no swarm says how to start one', () => {
    const frame = watchFrame(node([swarm(), swarm({ contentId: 'other', uploadRate: 3072, downloadRate: 0 })]), { peers: false, at })
    assert.equal(frame[0], 'shoal 12D3KooWexample  20:00:07  2 connections  2 swarms  down 1.00 MiB/s  up 4.00 KiB/s  0 bans')
    assert.equal(frame.length, 3)
    assert.match(watchFrame(node([]), { peers: false, at })[1], /^no swarms/)
  })

  it('with peers, each swarm\'s peers in status --peers\'s words under it', () => {
    const peer = { peerId: 'peerA', piecesHave: 10, seed: true, downloaded: 0, uploaded: 0, downloadRate: 0, uploadRate: 0, choked: true, chokingUs: false, snubbed: false, requestsOut: 2, requestsQueued: 0 }
    const frame = watchFrame(node([swarm({ peerDetails: [peer] })]), { peers: true, at })
    assert.match(frame[2], /^ {4}peerA {2}seed, we choke them, they serve us .* requests 2 out \/ 0 queued$/)
  })

  it('on a terminal the frame fits its height, the last line saying how many more there are', () => {
    const swarms = Array.from({ length: 10 }, (_, i) => swarm({ contentId: `c${i}` }))
    const frame = watchFrame(node(swarms), { peers: false, height: 5, at })
    assert.equal(frame.length, 5)
    assert.equal(frame[4], '… 7 more lines (a taller terminal shows them; shoal status lists all)')
    assert.equal(watchFrame(node(swarms), { peers: false, height: 11, at }).length, 11)
  })

  it('on a terminal no line is longer than its width (a wrapped line would break the redraw in place)', () => {
    const frame = watchFrame(node([swarm({ name: 'x'.repeat(300) })]), { peers: false, width: 40, at })
    for (const line of frame) assert.ok(line.length <= 40, line)
    assert.ok(frame[1].endsWith('…'))
  })
})
