/** Bytes held before the first growth: a small manifest never reallocates. */
const FIRST_CAPACITY = 64 * 1024

/**
 * The manifest as it arrives: capacity doubles with the bytes received, up to the size the
 * peer announced, so a peer announcing 16 MiB and sending nothing costs nothing.
 */
export class ReceiveBuffer {
  private buffer: Uint8Array
  private received = 0

  constructor (private readonly size: number) {
    this.buffer = new Uint8Array(Math.min(size, FIRST_CAPACITY))
  }

  get length (): number {
    return this.received
  }

  get complete (): boolean {
    return this.received === this.size
  }

  /** Append `data`; false (and nothing kept) when it is empty or runs past the announced size. */
  append (data: Uint8Array): boolean {
    if (data.byteLength === 0 || this.received + data.byteLength > this.size) return false
    this.reserve(this.received + data.byteLength)
    this.buffer.set(data, this.received)
    this.received += data.byteLength
    return true
  }

  /** The bytes received, without a copy once the buffer is exactly full. */
  bytes (): Uint8Array {
    return this.buffer.byteLength === this.received ? this.buffer : this.buffer.subarray(0, this.received)
  }

  private reserve (needed: number): void {
    if (needed <= this.buffer.byteLength) return
    const grown = new Uint8Array(Math.min(this.size, Math.max(needed, this.buffer.byteLength * 2)))
    grown.set(this.buffer.subarray(0, this.received))
    this.buffer = grown
  }
}
