/** Where one reader is: the piece it waits for, and the last piece it will want. */
export interface StreamCursor {
  /** The reader now waits for piece `next` and will read on up to `last` (a seek moves it anywhere). */
  moveTo(next: number, last: number): void
  /** The reader is done (its response ended): its pieces are no longer put first. */
  close(): void
}

/** Highest level: the piece a reader is blocked on. Each piece after it is one level lower. */
const WAITED_FOR = 255

/**
 * The pieces the open readers of one swarm want soonest: each reader's next piece, then a
 * read-ahead window after it, nearer pieces first. Every change hands the whole set to
 * `apply` (the swarm's picker); the rest of the content keeps its usual order.
 */
export class StreamPriorities {
  private readonly cursors = new Map<object, { next: number, last: number }>()

  constructor (private readonly apply: (levels: Map<number, number>) => void, private readonly readAhead: number) {}

  get open (): number {
    return this.cursors.size
  }

  cursor (): StreamCursor {
    const key = {}
    return {
      moveTo: (next, last) => {
        this.cursors.set(key, { next, last })
        this.update()
      },
      close: () => {
        if (this.cursors.delete(key)) this.update()
      }
    }
  }

  /** Every reader's window, at the highest level any reader gives a piece. */
  levels (): Map<number, number> {
    const levels = new Map<number, number>()
    for (const { next, last } of this.cursors.values()) {
      const end = Math.min(last, next + this.readAhead)
      for (let index = next; index <= end; index++) {
        const level = WAITED_FOR - (index - next)
        if ((levels.get(index) ?? 0) < level) levels.set(index, level)
      }
    }
    return levels
  }

  private update (): void {
    this.apply(this.levels())
  }
}
