/**
 * The piece-exchange frame decoder and Message codec against arbitrary bytes in arbitrary
 * chunks: it decodes exactly what a simple reference reader decodes (the same messages and
 * raw bytes, whatever the chunking), fails only with ProtocolViolationError, and never holds
 * more than one capped control frame.
 */
import fc from 'fast-check'
import { MAX_CONTROL_FRAME } from '../../../protocols/piece-exchange/constants.js'
import { MAX_VARINT_BYTES, WireDecoder } from '../../../protocols/piece-exchange/decoder.js'
import { Message } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { FuzzFailure, bytes, check, chunked, expectNamed, mutated } from '../target.js'
import { frameStream } from './arbitraries.js'
import type { FuzzTarget } from '../target.js'

type Event = ['message', Message] | ['bytes', number[]]
type Outcome = 'ok' | 'violation' | 'incomplete'

/** Messages and merged raw bytes, in order. */
class Recorder {
  readonly events: Event[] = []
  message (m: Message): void { this.events.push(['message', m]) }
  raw (data: Uint8Array): void {
    const last = this.events[this.events.length - 1]
    if (last?.[0] === 'bytes') last[1].push(...data)
    else this.events.push(['bytes', [...data]])
  }
}

/**
 * The framing rule read byte by byte, as SPEC.md states it: a minimally encoded unsigned
 * varint of at most MAX_CONTROL_FRAME, that many bytes of Message, then a Piece header's
 * raw bytes.
 */
function reference (data: Uint8Array): { events: Event[], outcome: Outcome } {
  const out = new Recorder()
  let at = 0
  while (at < data.byteLength) {
    let length = 0
    let size = 0
    for (;;) {
      if (at + size >= data.byteLength) return { events: out.events, outcome: 'incomplete' }
      const b = data[at + size]
      length += (b & 0x7f) * 2 ** (7 * size)
      size++
      if (b < 0x80) break
      if (size >= 8) return { events: out.events, outcome: 'violation' }
    }
    const minimal = size === 1 || data[at + size - 1] !== 0
    if (!minimal || length > MAX_CONTROL_FRAME) return { events: out.events, outcome: 'violation' }
    if (at + size + length > data.byteLength) return { events: out.events, outcome: 'incomplete' }
    let message: Message
    try {
      message = Message.decode(data.subarray(at + size, at + size + length))
    } catch {
      return { events: out.events, outcome: 'violation' }
    }
    out.message(message)
    at += size + length
    const raw = message.piece?.length ?? 0
    if (raw > 0 && at < data.byteLength) out.raw(data.subarray(at, at + raw))
    at += raw
  }
  return { events: out.events, outcome: 'ok' }
}

function decodeInChunks (chunks: Uint8Array[]): { events: Event[], outcome: Outcome } {
  const out = new Recorder()
  const decoder = new WireDecoder({ onMessage: m => { out.message(m) }, onPieceBytes: b => { out.raw(b) } })
  for (const chunk of chunks) {
    try {
      decoder.push(chunk)
    } catch (err) {
      expectNamed(err, ['ProtocolViolationError'], 'WireDecoder.push')
      return { events: out.events, outcome: 'violation' }
    }
    const cap = MAX_CONTROL_FRAME + MAX_VARINT_BYTES
    if (decoder.buffered > cap) throw new FuzzFailure(`decoder holds ${decoder.buffered} bytes, over its cap of ${cap}`)
  }
  return { events: out.events, outcome: decoder.buffered > 0 ? 'incomplete' : 'ok' }
}

const input = fc.oneof(frameStream, mutated(frameStream), bytes())

export const pieceFrames: FuzzTarget = {
  name: 'piece-exchange frames',
  description: 'WireDecoder + Message.decode: arbitrary bytes, arbitrarily chunked, agree with a reference reader',
  run: async (runs, seed) => await check(fc.property(input, fc.array(fc.nat(), { maxLength: 6 }), (data, cuts) => {
    const expected = reference(data)
    const got = decodeInChunks(chunked(data, cuts))
    // 'incomplete' and 'violation' may differ at the very end (the decoder waits for
    // MAX_VARINT_BYTES before it calls a length malformed); what was decoded may not
    if ((expected.outcome === 'ok') !== (got.outcome === 'ok')) {
      throw new FuzzFailure(`reference says ${expected.outcome}, decoder says ${got.outcome}`)
    }
    if (JSON.stringify(got.events) !== JSON.stringify(expected.events)) {
      throw new FuzzFailure(`decoded ${JSON.stringify(got.events).slice(0, 300)}, the reference read ${JSON.stringify(expected.events).slice(0, 300)}`)
    }
  }), runs, seed)
}
