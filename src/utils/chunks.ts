/** `length` bytes starting at `offset` of the concatenation of `chunks`, without copying. */
export function sliceChunks (chunks: readonly Uint8Array[], offset: number, length: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (const chunk of chunks) {
    if (length === 0) break
    if (offset >= chunk.byteLength) {
      offset -= chunk.byteLength
      continue
    }
    const part = chunk.subarray(offset, offset + length)
    out.push(part)
    length -= part.byteLength
    offset = 0
  }
  return out
}
