import assert from 'node:assert/strict'
import { SessionBudget } from '../../../src/swarm/session-budget.js'
import type { BudgetMember } from '../../../src/swarm/session-budget.js'

/** A swarm's peers, oldest first: the oldest is of least use. Dropping one settles it at once, as a session's close does. */
class Members implements BudgetMember {
  readonly peers: string[]
  constructor (readonly budget: SessionBudget, ...peers: string[]) {
    this.peers = peers
    budget.add(this)
  }

  get size (): number { return this.peers.length }
  has (peerId: string): boolean { return this.peers.includes(peerId) }
  leastUseful (): string | undefined { return this.peers[0] }
  drop (peerId: string): void {
    this.peers.splice(this.peers.indexOf(peerId), 1)
    this.budget.settled(peerId)
  }

  /** A peer's session ends. */
  leave (peerId: string): void {
    this.peers.splice(this.peers.indexOf(peerId), 1)
    this.budget.settled(peerId)
  }

  /** A newcomer joins if the budget finds room. */
  join (peerId: string): boolean {
    if (!this.budget.makeRoomFor(this)) {
      this.budget.settled(peerId)
      return false
    }
    this.peers.push(peerId)
    return true
  }
}

function budgetOf (maxSessions: number): { budget: SessionBudget, released: string[], freed: () => number } {
  const released: string[] = []
  let freed = 0
  const budget = new SessionBudget({ maxSessions, release: peer => { released.push(peer) }, roomFreed: () => { freed++ } })
  return { budget, released, freed: () => freed }
}

describe('swarm/session-budget', () => {
  it('under budget every swarm takes newcomers and nobody is dropped or hung up on', () => {
    const { budget, released } = budgetOf(4)
    const a = new Members(budget)
    const b = new Members(budget)
    assert.ok(a.join('a1') && a.join('a2') && b.join('b1'))
    assert.equal(budget.total, 3)
    assert.deepEqual(released, [])
  })

  it('a full node gives a smaller swarm\'s newcomer the place of the largest swarm\'s least useful peer, and hangs up on it', () => {
    const { budget, released } = budgetOf(4)
    const a = new Members(budget, 'a1', 'a2', 'a3', 'a4')
    const b = new Members(budget)
    assert.ok(b.join('b1'))
    assert.deepEqual(a.peers, ['a2', 'a3', 'a4'])
    assert.deepEqual(released, ['a1'])
    assert.equal(budget.total, 4)
  })

  it('shares converge: a swarm gives up peers only while it has two more than the newcomer\'s', () => {
    const { budget } = budgetOf(6)
    const a = new Members(budget, 'a1', 'a2', 'a3', 'a4', 'a5', 'a6')
    const b = new Members(budget)
    for (let i = 1; i <= 5; i++) b.join(`b${i}`)
    assert.deepEqual([a.size, b.size], [3, 3])
    assert.equal(budget.total, 6)
  })

  it('the largest swarm\'s own newcomer is refused at a full node, and hung up on if no swarm holds it', () => {
    const { budget, released } = budgetOf(3)
    const a = new Members(budget, 'a1', 'a2')
    const b = new Members(budget, 'b1')
    assert.equal(a.join('a3'), false)
    assert.deepEqual(released, ['a3'])
    // one that another swarm trades with keeps its connection
    assert.equal(a.join('b1'), false)
    assert.deepEqual(released, ['a3'])
    assert.deepEqual([a.size, b.size], [2, 1])
  })

  it('a peer that leaves while the node has room keeps its connection; a swarm removed no longer counts', () => {
    const { budget, released } = budgetOf(3)
    const a = new Members(budget, 'a1', 'a2')
    a.peers.shift()
    budget.settled('a1')
    assert.deepEqual(released, [])
    budget.remove(a)
    assert.equal(budget.total, 0)
  })

  it('hasRoomFor answers as makeRoomFor would, and drops nobody', () => {
    const { budget, released } = budgetOf(4)
    const a = new Members(budget, 'a1', 'a2', 'a3')
    const b = new Members(budget)
    assert.ok(budget.hasRoomFor(a) && budget.hasRoomFor(b), 'under budget')
    a.join('a4')
    assert.equal(budget.hasRoomFor(a), false, 'the largest swarm at a full node')
    assert.equal(budget.hasRoomFor(b), true, 'a smaller swarm, for which the largest would give one up')
    assert.deepEqual(a.peers, ['a1', 'a2', 'a3', 'a4'])
    assert.equal(budget.dropped, 0)
    assert.deepEqual(released, [])
    // and makeRoomFor agrees
    assert.equal(a.join('a5'), false)
    assert.equal(b.join('b1'), true)
  })

  it('a peer leaving a full node frees a place for the swarms that held off; one shed for a newcomer, or leaving under budget, does not', () => {
    const { budget, freed } = budgetOf(4)
    const a = new Members(budget, 'a1', 'a2', 'a3')
    const b = new Members(budget)
    a.leave('a3')
    assert.equal(freed(), 0, 'under budget: nobody held off')
    a.join('a3')
    a.join('a4')
    assert.equal(b.join('b1'), true, 'the largest swarm sheds a1 for b1')
    assert.equal(freed(), 0, 'the shed place went to the newcomer')
    a.leave('a2')
    assert.equal(freed(), 1, 'the node was full and has a place')
  })
})
