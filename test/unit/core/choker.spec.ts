import assert from 'node:assert/strict'
import { CHOKING } from '../../../src/config/defaults.js'
import { choke } from '../../../src/core/choker.js'
import { seededRandom } from '../fixtures.js'
import type { ChokerInput, ChokerPeer } from '../../../src/core/choker.js'

const NOW = 1_000_000

function peer (id: string, fields: Partial<ChokerPeer> = {}): ChokerPeer {
  return { id, interested: true, downloadRate: 0, uploaded: 0, unchoked: false, joinedAt: NOW - 10 * CHOKING.newcomerMs, ...fields }
}

function input (peers: ChokerPeer[], fields: Partial<ChokerInput> = {}): ChokerInput {
  return { peers, seeding: false, slots: 3, rotateOptimistic: false, now: NOW, random: seededRandom(1), newcomers: CHOKING, ...fields }
}

const sorted = (ids: ReadonlySet<string>): string[] => [...ids].sort()

describe('core/choker', () => {
  it('unchokes nobody who is not interested, and everybody interested when they fit in the slots', () => {
    const d = choke(input([peer('a'), peer('b', { interested: false }), peer('c')]))
    assert.deepEqual(sorted(d.unchoked), ['a', 'c'])
    assert.equal(d.optimistic, undefined)
  })

  it('never unchokes more than the slots', () => {
    const peers = Array.from({ length: 40 }, (_, i) => peer(`p${i}`, { downloadRate: i }))
    for (const seeding of [false, true]) {
      for (let seed = 1; seed <= 20; seed++) {
        const d = choke(input(peers, { slots: 4, seeding, random: seededRandom(seed) }))
        assert.equal(d.unchoked.size, 4)
        assert.ok(d.optimistic !== undefined && d.unchoked.has(d.optimistic))
      }
    }
  })

  it('while downloading, gives the regular slots to the peers that give us the most (tit-for-tat)', () => {
    const peers = [peer('slow', { downloadRate: 10 }), peer('fast', { downloadRate: 900 }), peer('mid', { downloadRate: 500 }), peer('none'), peer('none2')]
    const d = choke(input(peers, { slots: 3 }))
    assert.ok(d.unchoked.has('fast') && d.unchoked.has('mid'))
    // the third slot is the optimistic one, among the rest
    assert.ok(d.optimistic !== undefined && ['slow', 'none', 'none2'].includes(d.optimistic))
  })

  it('while downloading, a slot changes hands only for a partner better by more than keepMargin', () => {
    // slots 3: two regular slots, held by a and b; c gives a little more than b, d much more
    const held = [peer('a', { downloadRate: 1000, unchoked: true }), peer('b', { downloadRate: 500, unchoked: true })]
    const regular = (d: ReturnType<typeof choke>): string[] => sorted(new Set([...d.unchoked].filter(id => id !== d.optimistic)))
    for (let seed = 1; seed <= 10; seed++) {
      const close = [...held, peer('c', { downloadRate: 580 })]
      assert.deepEqual(regular(choke(input([...close, peer('x'), peer('y')], { keepMargin: 0.2, random: seededRandom(seed) }))), ['a', 'b'])
      assert.deepEqual(regular(choke(input([...close, peer('x'), peer('y')], { random: seededRandom(seed) }))), ['a', 'c'], 'without a margin the closer rate wins')
      const better = [...held, peer('d', { downloadRate: 620 })]
      assert.deepEqual(regular(choke(input([...better, peer('x'), peer('y')], { keepMargin: 0.2, random: seededRandom(seed) }))), ['a', 'd'])
    }
  })

  it('while seeding, rotates: the regular slots go to the peers we have given the least', () => {
    const peers = [peer('fed', { uploaded: 9e9, downloadRate: 1e9 }), peer('half', { uploaded: 5e6 }), peer('new1'), peer('new2'), peer('fed2', { uploaded: 8e9 })]
    const d = choke(input(peers, { slots: 3, seeding: true }))
    assert.ok(d.unchoked.has('new1') && d.unchoked.has('new2'))
    assert.ok(!d.unchoked.has('fed') || d.optimistic === 'fed')
  })

  it('keeps the optimistic peer between rounds and moves it on rotation', () => {
    const peers = Array.from({ length: 10 }, (_, i) => peer(`p${i}`, { downloadRate: 100 - i }))
    const first = choke(input(peers, { slots: 2 }))
    const kept = choke(input(peers, { slots: 2, optimistic: first.optimistic, random: seededRandom(99) }))
    assert.equal(kept.optimistic, first.optimistic)
    const seen = new Set<string>()
    for (let seed = 1; seed <= 30; seed++) {
      const rotated = choke(input(peers, { slots: 2, optimistic: first.optimistic, rotateOptimistic: true, random: seededRandom(seed) }))
      seen.add(rotated.optimistic as string)
    }
    assert.ok(seen.size >= 5, `the optimistic slot went to only ${seen.size} different peers over 30 rotations`)
    // p0 holds the one regular slot: never the optimistic one
    assert.ok(!seen.has('p0'))
  })

  it('favours newcomers for the optimistic slot', () => {
    const peers = [peer('top', { downloadRate: 1000 }), ...Array.from({ length: 9 }, (_, i) => peer(`old${i}`)), peer('newcomer', { joinedAt: NOW - 1000 })]
    let newcomer = 0
    const rounds = 2000
    for (let seed = 1; seed <= rounds; seed++) {
      if (choke(input(peers, { slots: 2, rotateOptimistic: true, random: seededRandom(seed) })).optimistic === 'newcomer') newcomer++
    }
    // weight 3 among 9 of weight 1: 3/12 = 25%, against 10% without the weighting
    assert.ok(newcomer / rounds > 0.2 && newcomer / rounds < 0.3, `newcomer chosen ${newcomer} times in ${rounds}`)
  })

  it('an interested peer left out of the regular slots gets its turn within a few rotations', () => {
    // the starvation case: many peers, few slots
    const peers = Array.from({ length: 12 }, (_, i) => peer(`p${i}`, { downloadRate: 12 - i }))
    const served = new Set<string>()
    let optimistic: string | undefined
    const random = seededRandom(5)
    // 9 peers share the optimistic slot at random: all of them get it within 90 rotations but for a chance of 1 in 10,000
    for (let round = 0; round < 90; round++) {
      const d = choke(input(peers, { slots: 4, optimistic, rotateOptimistic: true, random }))
      optimistic = d.optimistic
      for (const id of d.unchoked) served.add(id)
    }
    assert.equal(served.size, 12)
  })

  it('breaks ties at random, not in the order the peers are listed (which is the order they connected)', () => {
    // ten equal peers, 3 slots: the first three listed would always win a stable sort
    const peers = Array.from({ length: 10 }, (_, i) => peer(`p${i}`))
    const chosen = new Map<string, number>()
    for (let seed = 1; seed <= 300; seed++) {
      for (const id of choke(input(peers, { random: seededRandom(seed) })).unchoked) chosen.set(id, (chosen.get(id) ?? 0) + 1)
    }
    assert.equal(chosen.size, 10)
    // 900 slots over 10 peers: about 90 each
    for (const [id, count] of chosen) assert.ok(count > 50 && count < 130, `${id} unchoked ${count} times in 300 rounds`)
  })

  it('is deterministic for the same inputs', () => {
    const peers = Array.from({ length: 20 }, (_, i) => peer(`p${i}`, { downloadRate: i % 4, uploaded: i * 7 }))
    const a = choke(input(peers, { slots: 5, random: seededRandom(3) }))
    const b = choke(input(peers, { slots: 5, random: seededRandom(3) }))
    assert.deepEqual(sorted(a.unchoked), sorted(b.unchoked))
    assert.equal(a.optimistic, b.optimistic)
  })

  it('an idle peer (unchoked, asking nothing lately) keeps its slot only while no other interested peer wants it', () => {
    const idle = peer('idle', { unchoked: true, idle: true, downloadRate: 1000 })
    // fewer active candidates than slots: the idle peer keeps its slot (no flip)
    const few = choke(input([idle, peer('a')], { slots: 3 }))
    assert.deepEqual(sorted(few.unchoked), ['a', 'idle'])
    // as many as the slots: the idle peer goes, first by its rate though it is
    const full = choke(input([idle, peer('a'), peer('b'), peer('c')], { slots: 3 }))
    assert.deepEqual(sorted(full.unchoked), ['a', 'b', 'c'])
    // more than the slots: it is not ranked at all
    for (let seed = 1; seed <= 20; seed++) {
      const d = choke(input([idle, peer('a'), peer('b'), peer('c'), peer('d')], { slots: 3, random: seededRandom(seed) }))
      assert.equal(d.unchoked.has('idle'), false)
      assert.equal(d.unchoked.size, 3)
    }
    // an idle peer not interested is not kept
    assert.deepEqual(sorted(choke(input([peer('idle', { idle: true, interested: false, unchoked: true })])).unchoked), [])
  })

  it('zero slots unchoke nobody', () => {
    assert.equal(choke(input([peer('a')], { slots: 0 })).unchoked.size, 0)
  })
})
