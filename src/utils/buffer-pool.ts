/**
 * Fixed-size buffers handed out and taken back, so a piece-sized buffer is not allocated
 * (and later collected) for every piece that passes through. Keeps at most `maxFree` idle.
 */
export class BufferPool {
  private readonly free: Uint8Array[] = []

  constructor (readonly size: number, private readonly maxFree: number) {}

  take (): Uint8Array {
    return this.free.pop() ?? new Uint8Array(this.size)
  }

  /** Return a buffer from `take()`; nothing may use it afterwards. */
  give (buffer: Uint8Array): void {
    if (buffer.byteLength === this.size && this.free.length < this.maxFree) this.free.push(buffer)
  }
}
