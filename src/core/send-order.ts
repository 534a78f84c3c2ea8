/**
 * The order a sender's copies go out in, rarest copy first: the piece fewest of its peers
 * have, then the one it has sent the fewest copies of (a seeder facing several empty leechers
 * hands each different pieces, which they then trade). One rule for the Uploader and the
 * simulator.
 */
export class SendOrder {
  /**
   * @param holders - how many of the sender's peers have piece `index` (the picker's count)
   * @param copiesOf - copies of `index` the sender has agreed to send (the copy ledger's)
   */
  constructor (
    private readonly holders: (index: number) => number,
    private readonly copiesOf: (index: number) => number
  ) {}

  /** Piece `a` goes out before `b`. */
  before (a: number, b: number): boolean {
    return this.beats(a, this.holders(a), b, this.holders(b))
  }

  /** Position in `pieces` (not empty) of the piece to send first, the first of equals. */
  first (pieces: readonly number[]): number {
    let best = 0
    let bestHolders = this.holders(pieces[0])
    for (let i = 1; i < pieces.length; i++) {
      const holders = this.holders(pieces[i])
      if (this.beats(pieces[i], holders, pieces[best], bestHolders)) {
        best = i
        bestHolders = holders
      }
    }
    return best
  }

  /** The rule, given each piece's holders (counted once per piece in `first`). */
  private beats (a: number, holdersA: number, b: number, holdersB: number): boolean {
    return holdersA < holdersB || (holdersA === holdersB && this.copiesOf(a) < this.copiesOf(b))
  }
}
