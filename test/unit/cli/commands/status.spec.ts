import assert from 'node:assert/strict'
import { peerLine, swarmLine } from '../../../../src/cli/commands/status.js'
import type { PeerStatus, SwarmStatus } from '../../../../src/swarm/types.js'

const peer: PeerStatus = {
  peerId: '12D3KooWPeer',
  piecesHave: 3,
  seed: false,
  downloaded: 2048,
  uploaded: 0,
  downloadRate: 1024,
  uploadRate: 0,
  choked: true,
  chokingUs: false,
  snubbed: false,
  requestsOut: 2,
  requestsQueued: 0
}

const swarm: SwarmStatus = {
  contentId: 'bafy',
  name: 'film.mkv',
  path: '/tmp/film.mkv',
  directory: false,
  size: 4096,
  pieceSize: 1024,
  pieceCount: 4,
  piecesHave: 2,
  state: 'downloading',
  peers: 1,
  uploaded: 0,
  downloaded: 2048,
  uploadRate: 0,
  downloadRate: 0,
  startedAt: 0
}

describe('cli/commands/status', () => {
  it('a peer\'s choke state in words from our side', () => {
    assert.match(peerLine(peer, 8), /^12D3KooWPeer {2}has 3\/8, we choke them, they serve us {2}up /)
    assert.match(peerLine({ ...peer, seed: true, choked: false, chokingUs: true, snubbed: true }, 8), /^12D3KooWPeer {2}seed, we serve them, they choke us, silent lately \(our requests went to others\) {2}up /)
    assert.match(peerLine({ ...peer, connection: 'relayed' }, 8), /^12D3KooWPeer {2}has 3\/8, we choke them, they serve us, through a relay {2}up /)
    assert.match(peerLine({ ...peer, connection: 'direct' }, 8), /^12D3KooWPeer {2}has 3\/8, we choke them, they serve us {2}up /)
  })

  it('one peer is "1 peer"; other counts are plural', () => {
    assert.match(swarmLine(swarm), / 1 peer {2}up /)
    assert.match(swarmLine({ ...swarm, peers: 0 }), / 0 peers {2}up /)
    assert.match(swarmLine({ ...swarm, peers: 2 }), / 2 peers {2}up /)
  })
})
