import assert from 'node:assert/strict'
import { Bitfield } from '../../../src/core/bitfield.js'
import { PICKING } from '../../../src/config/defaults.js'
import { PiecePicker } from '../../../src/core/piece-picker.js'
import { seededRandom } from '../fixtures.js'
import type { PiecePickerInit } from '../../../src/core/piece-picker.js'

/** A bitfield of `length` with `indexes` set. */
function bits (length: number, indexes: number[] = []): Bitfield {
  const field = new Bitfield(length)
  for (const i of indexes) field.set(i)
  return field
}

const notAsked = (): boolean => false

/** A random source that returns `values` in turn (for a known tie-break order). */
function sequence (values: number[]): () => number {
  let at = 0
  return () => values[at++ % values.length]
}

function picker (length: number, init: Partial<PiecePickerInit> = {}, have: number[] = []): PiecePicker {
  return new PiecePicker(bits(length, have), { ...PICKING, random: seededRandom(1), randomFirstPieces: 0, ...init })
}

describe('core/piece-picker', () => {
  describe('rarest first', () => {
    it('picks the least available piece first', () => {
      const p = picker(4)
      // availability: piece 0 by 4 peers, piece 1 by 3, piece 2 by 1, piece 3 by 2
      p.addPeer(bits(4, [0, 1, 2, 3]))
      p.addPeer(bits(4, [0, 1, 3]))
      p.addPeer(bits(4, [0, 1]))
      p.addPeer(bits(4, [0]))
      assert.deepEqual([0, 1, 2, 3].map(i => p.availabilityOf(i)), [4, 3, 1, 2])
      const full = Bitfield.full(4)
      assert.deepEqual(p.pick(full, 1, notAsked), [2])
      assert.deepEqual(p.pick(full, 3, notAsked), [2, 3, 1])
    })

    it('returns the picks in priority order even when every candidate fits in count', () => {
      const p = picker(4)
      p.addPeer(bits(4, [0, 1, 2, 3]))
      p.addPeer(bits(4, [0, 1, 3]))
      p.addPeer(bits(4, [0, 1]))
      p.addPeer(bits(4, [0]))
      // availability 4, 3, 1, 2: the request for the rarest piece goes out first
      assert.deepEqual(p.pick(Bitfield.full(4), 4, notAsked), [2, 3, 1, 0])
      assert.deepEqual(p.pick(Bitfield.full(4), 100, notAsked), [2, 3, 1, 0])
    })

    it('only among the pieces this peer has', () => {
      const p = picker(4)
      p.addPeer(bits(4, [0, 1, 2, 3]))
      p.addPeer(bits(4, [1, 2, 3]))
      p.addPeer(bits(4, [2, 3]))
      // piece 0 is the rarest overall, but this peer lacks it
      assert.deepEqual(p.pick(bits(4, [1, 2, 3]), 1, notAsked), [1])
    })

    it('peerGained raises availability (a have message)', () => {
      const p = picker(3)
      p.addPeer(bits(3, [0, 1, 2]))
      p.peerGained(0)
      p.peerGained(1)
      assert.deepEqual(p.pick(Bitfield.full(3), 1, notAsked), [2])
      assert.equal(p.availabilityOf(0), 2)
    })

    it('removePeer lowers availability and never goes below zero', () => {
      const p = picker(3)
      const a = bits(3, [0, 1])
      const b = bits(3, [1, 2])
      p.addPeer(a)
      p.addPeer(b)
      assert.deepEqual([0, 1, 2].map(i => p.availabilityOf(i)), [1, 2, 1])
      p.removePeer(a)
      assert.deepEqual([0, 1, 2].map(i => p.availabilityOf(i)), [0, 1, 1])
      p.removePeer(a)
      assert.deepEqual([0, 1, 2].map(i => p.availabilityOf(i)), [0, 0, 1])
    })

    it('removePeer changes which piece is rarest', () => {
      const p = picker(2)
      const a = bits(2, [0, 1])
      const b = bits(2, [0])
      const c = bits(2, [0])
      for (const peer of [a, b, c]) p.addPeer(peer)
      p.addPeer(bits(2, [1]))
      // availability 0: 3, 1: 2
      assert.deepEqual(p.pick(a, 1, notAsked), [1])
      p.removePeer(b)
      p.removePeer(c)
      // availability 0: 1, 1: 2
      assert.deepEqual(p.pick(a, 1, notAsked), [0])
    })
  })

  describe('needsSource', () => {
    it('once every piece a peer has is requested, says whether some wanted piece has no source', () => {
      const p = picker(3, {}, [0])
      p.addPeer(bits(3, [0, 1]))
      assert.equal(p.needsSource(), false, 'piece 1 can still be asked for')
      p.markRequested(1)
      assert.equal(p.needsSource(), true, 'piece 2: nobody has it, and nothing else to ask')
      p.peerGained(2)
      assert.equal(p.needsSource(), false, 'piece 2 came to a peer')
      p.markRequested(2)
      assert.equal(p.needsSource(), false, 'all requested, every piece has a source')
      p.removePeer(bits(3, [2]))
      assert.equal(p.needsSource(), true, 'its holder left')
    })

    it('leaves out pieces not wanted, being stored, or held; and a complete download', () => {
      const p = picker(3, {}, [0])
      p.addPeer(bits(3, [1]))
      p.markRequested(1)
      p.setWanted(bits(3, [0, 1]))
      assert.equal(p.needsSource(), false, 'piece 2 is not wanted')
      p.setWanted(undefined)
      p.markSettled(2)
      assert.equal(p.needsSource(), false, 'piece 2 arrived and is being written')
      p.markHave(2)
      p.markHave(1)
      assert.equal(p.needsSource(), false, 'complete')
    })
  })

  describe('random tie-break', () => {
    /** The order in which a picker breaks ties: everything equally rare, pick all. */
    const tieOrder = (random: () => number, count = 16): number[] => {
      const p = new PiecePicker(bits(count), { ...PICKING, random, randomFirstPieces: 0 })
      p.addPeer(Bitfield.full(count))
      return p.pick(Bitfield.full(count), count, notAsked)
    }

    it('breaks ties among equally rare pieces in a random order (a permutation)', () => {
      const order = tieOrder(seededRandom(3), 64)
      assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: 64 }, (_, i) => i))
      assert.notDeepEqual(order, Array.from({ length: 64 }, (_, i) => i))
    })

    it('rarity beats the tie-break order', () => {
      const p = new PiecePicker(bits(4), { ...PICKING, random: seededRandom(5), randomFirstPieces: 0 })
      p.addPeer(Bitfield.full(4))
      p.addPeer(bits(4, [1, 3]))
      assert.deepEqual(p.pick(Bitfield.full(4), 2, notAsked).sort(), [0, 2])
    })

    it('is reproducible for the same random source, and differs between sources', () => {
      assert.deepEqual(tieOrder(seededRandom(7)), tieOrder(seededRandom(7)))
      assert.notDeepEqual(tieOrder(seededRandom(7)), tieOrder(seededRandom(8)))
    })

    it('spreads nodes over different first pieces', () => {
      const firsts = new Set(Array.from({ length: 20 }, (_, seed) => tieOrder(seededRandom(seed + 1), 256)[0]))
      assert.ok(firsts.size >= 15, `20 nodes started on only ${firsts.size} different pieces`)
    })
  })

  describe('random first pieces', () => {
    it('ignores rarity until it holds randomFirstPieces pieces, then goes rarest first', () => {
      // piece 5 is the only rare one; in tie order it comes last
      const random = seededRandom(11)
      const order = tieOrder8(random)
      const rare = order[order.length - 1]
      const p = new PiecePicker(bits(8), { ...PICKING, random: seededRandom(11), randomFirstPieces: 2 })
      p.addPeer(Bitfield.full(8))
      p.addPeer(bits(8, [0, 1, 2, 3, 4, 5, 6, 7].filter(i => i !== rare)))
      assert.equal(p.pick(Bitfield.full(8), 1, notAsked)[0], order[0])
      p.markHave(order[0])
      assert.equal(p.pick(Bitfield.full(8), 1, notAsked)[0], order[1])
      p.markHave(order[1])
      assert.equal(p.pick(Bitfield.full(8), 1, notAsked)[0], rare)
    })

    it('is PICKING.randomFirstPieces in the node', () => {
      assert.equal(PICKING.randomFirstPieces, 4)
    })

    function tieOrder8 (random: () => number): number[] {
      const p = new PiecePicker(bits(8), { ...PICKING, random, randomFirstPieces: 0 })
      p.addPeer(Bitfield.full(8))
      return p.pick(Bitfield.full(8), 8, notAsked)
    }
  })

  describe('sequential', () => {
    it('picks in piece order whatever the rarity, skipping what is requested or held', () => {
      const p = picker(6, { sequential: true }, [0])
      p.addPeer(Bitfield.full(6))
      p.addPeer(bits(6, [1, 2, 3]))
      p.markRequested(2)
      assert.deepEqual(p.pick(Bitfield.full(6), 3, notAsked), [1, 3, 4])
    })

    it('can be switched on for a swarm under way', () => {
      const p = picker(64)
      p.addPeer(Bitfield.full(64))
      p.sequential = true
      assert.deepEqual(p.pick(Bitfield.full(64), 4, notAsked), [0, 1, 2, 3])
    })
  })

  describe('what is never picked', () => {
    it('pieces we have', () => {
      const p = picker(5, {}, [0, 2, 4])
      p.addPeer(Bitfield.full(5))
      assert.deepEqual(p.pick(Bitfield.full(5), 10, notAsked).sort(), [1, 3])
    })

    it('pieces the peer lacks', () => {
      const p = picker(5)
      p.addPeer(bits(5, [1, 4]))
      assert.deepEqual(p.pick(bits(5, [1, 4]), 10, notAsked).sort(), [1, 4])
      assert.deepEqual(p.pick(bits(5), 10, notAsked), [])
    })

    it('pieces alreadyAsked says this peer was asked for', () => {
      const p = picker(5)
      p.addPeer(Bitfield.full(5))
      const asked: number[] = []
      const picked = p.pick(Bitfield.full(5), 10, i => { asked.push(i); return i === 0 || i === 3 })
      assert.deepEqual(picked.sort(), [1, 2, 4])
      assert.ok(asked.includes(0) && asked.includes(3))
    })

    it('nothing for a count of zero or less, or once complete', () => {
      const p = picker(3)
      p.addPeer(Bitfield.full(3))
      assert.deepEqual(p.pick(Bitfield.full(3), 0, notAsked), [])
      assert.deepEqual(p.pick(Bitfield.full(3), -1, notAsked), [])
      for (const i of [0, 1, 2]) p.markHave(i)
      assert.deepEqual(p.pick(Bitfield.full(3), 5, notAsked), [])
      assert.equal(p.endgame, false)
    })

    it('at most `count` pieces', () => {
      const p = picker(10)
      p.addPeer(Bitfield.full(10))
      assert.equal(p.pick(Bitfield.full(10), 4, notAsked).length, 4)
      assert.equal(p.pick(Bitfield.full(10), 40, notAsked).length, 10)
    })
  })

  describe('requests and endgame', () => {
    it('a requested piece is not picked again while others are unrequested', () => {
      const p = picker(3)
      p.addPeer(Bitfield.full(3))
      p.markRequested(1)
      assert.equal(p.endgame, false)
      assert.deepEqual(p.pick(Bitfield.full(3), 3, notAsked).sort(), [0, 2])
      p.markRequested(0)
      assert.equal(p.endgame, false)
      assert.deepEqual(p.pick(Bitfield.full(3), 3, notAsked), [2])
    })

    it('endgame starts once every missing piece is requested, and allows a second request', () => {
      const p = picker(3, {}, [0])
      p.addPeer(Bitfield.full(3))
      p.markRequested(1)
      assert.equal(p.endgame, false)
      p.markRequested(2)
      assert.equal(p.endgame, true)
      assert.deepEqual(p.pick(Bitfield.full(3), 5, notAsked).sort(), [1, 2])
      // a second request each: the default cap of 2 is reached
      p.markRequested(1)
      p.markRequested(2)
      assert.deepEqual(p.pick(Bitfield.full(3), 5, notAsked), [])
    })

    it('endgame honours maxDuplicateRequests', () => {
      const p = picker(2, { maxDuplicateRequests: 3 })
      p.addPeer(Bitfield.full(2))
      for (let round = 0; round < 2; round++) {
        p.markRequested(0)
        p.markRequested(1)
      }
      assert.equal(p.endgame, true)
      assert.deepEqual(p.pick(Bitfield.full(2), 5, notAsked).sort(), [0, 1])
      p.markRequested(0)
      assert.deepEqual(p.pick(Bitfield.full(2), 5, notAsked), [1])
    })

    it('maxDuplicateRequests 1 turns duplicate requests off', () => {
      const p = picker(2, { maxDuplicateRequests: 1 })
      p.addPeer(Bitfield.full(2))
      p.markRequested(0)
      p.markRequested(1)
      assert.equal(p.endgame, true)
      assert.deepEqual(p.pick(Bitfield.full(2), 5, notAsked), [])
    })

    it('in endgame, pieces with fewer requests out come first', () => {
      const p = picker(3, { maxDuplicateRequests: 4, random: sequence([0.1, 0.2, 0.3]) })
      p.addPeer(Bitfield.full(3))
      p.markRequested(0)
      p.markRequested(0)
      p.markRequested(0)
      p.markRequested(1)
      p.markRequested(1)
      p.markRequested(2)
      assert.deepEqual(p.pick(Bitfield.full(3), 2, notAsked), [2, 1])
    })

    it('markReleased makes a piece pickable again and leaves endgame', () => {
      const p = picker(2)
      p.addPeer(Bitfield.full(2))
      p.markRequested(0)
      p.markRequested(1)
      assert.equal(p.endgame, true)
      p.markReleased(0)
      assert.equal(p.endgame, false)
      assert.deepEqual(p.pick(Bitfield.full(2), 5, notAsked), [0])
    })

    it('markReleased of one of two endgame requests keeps the piece requested', () => {
      const p = picker(1)
      p.addPeer(Bitfield.full(1))
      p.markRequested(0)
      p.markRequested(0)
      p.markReleased(0)
      assert.equal(p.endgame, true)
      p.markReleased(0)
      assert.equal(p.endgame, false)
      // releasing more than was requested changes nothing
      p.markReleased(0)
      p.markReleased(0)
      p.markRequested(0)
      assert.equal(p.endgame, true)
    })

    it('markHave removes a piece for good; finishing leaves endgame', () => {
      const p = picker(2)
      p.addPeer(Bitfield.full(2))
      p.markHave(0)
      assert.deepEqual(p.pick(Bitfield.full(2), 5, notAsked), [1])
      p.markRequested(1)
      assert.equal(p.endgame, true)
      // a request for a piece we have, released later, does not bring it back
      p.markReleased(0)
      assert.deepEqual(p.pick(Bitfield.full(2), 5, notAsked), [1])
      p.markHave(1)
      assert.equal(p.endgame, false)
      assert.deepEqual(p.pick(Bitfield.full(2), 5, notAsked), [])
    })

    it('markHave of a requested piece, then a late release, keeps the counts right', () => {
      const p = picker(3)
      p.addPeer(Bitfield.full(3))
      p.markRequested(0)
      p.markRequested(0)
      p.markHave(0)
      p.markReleased(0)
      p.markReleased(0)
      assert.equal(p.endgame, false)
      p.markRequested(1)
      assert.equal(p.endgame, false)
      p.markRequested(2)
      assert.equal(p.endgame, true)
    })

    it('a settled piece (verified, being written) is not picked, even in endgame', () => {
      const p = picker(3)
      p.addPeer(Bitfield.full(3))
      p.markRequested(0)
      p.markSettled(0)
      p.markReleased(0)
      assert.deepEqual(p.pick(Bitfield.full(3), 5, notAsked).sort(), [1, 2])
      p.markRequested(1)
      p.markRequested(2)
      assert.equal(p.endgame, true)
      assert.deepEqual(p.pick(Bitfield.full(3), 5, notAsked).sort(), [1, 2])
    })

    it('a piece settled without a request out counts as requested, once', () => {
      const p = picker(2)
      p.addPeer(Bitfield.full(2))
      p.markSettled(0)
      p.markSettled(0)
      assert.equal(p.endgame, false)
      p.markRequested(1)
      assert.equal(p.endgame, true)
    })

    it('unsettle (the write failed) makes the piece wanted again', () => {
      const p = picker(2)
      p.addPeer(Bitfield.full(2))
      p.markRequested(0)
      p.markSettled(0)
      p.markReleased(0)
      p.markRequested(1)
      assert.equal(p.endgame, true)
      p.unsettle(0)
      assert.equal(p.endgame, false)
      assert.deepEqual(p.pick(Bitfield.full(2), 5, notAsked), [0])
      // unsettling a piece that is not settled changes nothing
      p.unsettle(1)
      assert.equal(p.endgame, false)
      p.markRequested(0)
      assert.equal(p.endgame, true)
    })

    it('unsettle while the request is still counted, then release, wants it again once', () => {
      const p = picker(2)
      p.addPeer(Bitfield.full(2))
      p.markRequested(0)
      p.markRequested(1)
      p.markSettled(0)
      p.unsettle(0)
      assert.equal(p.endgame, true)
      p.markReleased(0)
      assert.equal(p.endgame, false)
      assert.deepEqual(p.pick(Bitfield.full(2), 5, notAsked), [0])
      p.markRequested(0)
      assert.equal(p.endgame, true)
    })

    it('markHave after markSettled keeps the counts right', () => {
      const p = picker(3)
      p.addPeer(Bitfield.full(3))
      p.markRequested(0)
      p.markSettled(0)
      p.markHave(0)
      p.markReleased(0)
      p.markRequested(1)
      assert.equal(p.endgame, false)
      p.markRequested(2)
      assert.equal(p.endgame, true)
      p.markMissing(0)
      assert.equal(p.endgame, false)
      assert.deepEqual(p.pick(Bitfield.full(3), 5, notAsked), [0])
    })

    it('markMissing makes a piece we had wanted again', () => {
      const p = picker(2, {}, [0, 1])
      p.addPeer(Bitfield.full(2))
      assert.deepEqual(p.pick(Bitfield.full(2), 5, notAsked), [])
      p.markMissing(1)
      assert.equal(p.endgame, false)
      assert.deepEqual(p.pick(Bitfield.full(2), 5, notAsked), [1])
      p.markRequested(1)
      assert.equal(p.endgame, true)
      // missing a piece we do not have changes nothing
      p.markMissing(1)
      assert.equal(p.endgame, true)
    })

    it('a picker over a partly complete bitfield enters endgame when the rest is requested', () => {
      const p = picker(4, {}, [0, 1, 3])
      p.addPeer(Bitfield.full(4))
      assert.deepEqual(p.pick(Bitfield.full(4), 4, notAsked), [2])
      p.markRequested(2)
      assert.equal(p.endgame, true)
    })

    it('a simulated download with three peers never requests a piece twice before endgame', () => {
      const count = 40
      const random = seededRandom(3)
      const p = new PiecePicker(new Bitfield(count), { ...PICKING, random })
      const peers = [Bitfield.full(count), bits(count, [...Array(count).keys()].filter(i => i % 2 === 0)), bits(count, [...Array(count).keys()].filter(i => i % 3 === 0))]
      for (const peer of peers) p.addPeer(peer)
      const outstanding = peers.map(() => new Set<number>())
      const requestedTimes = new Array<number>(count).fill(0)
      for (let round = 0; round < 200 && !p.endgame; round++) {
        peers.forEach((peer, at) => {
          const duplicatesAllowed = p.endgame
          for (const index of p.pick(peer, 2, i => outstanding[at].has(i))) {
            assert.ok(peer.has(index))
            p.markRequested(index)
            outstanding[at].add(index)
            if (!duplicatesAllowed) requestedTimes[index]++
          }
          // each peer answers its oldest request
          const first = outstanding[at].values().next()
          if (first.done !== true) {
            outstanding[at].delete(first.value)
            p.markHave(first.value)
          }
        })
      }
      // endgame came, so every piece was requested; before it, none was requested twice
      assert.equal(p.endgame, true)
      assert.ok(requestedTimes.every(n => n === 1), `requests per piece: ${requestedTimes.join(',')}`)
    })
  })
})
