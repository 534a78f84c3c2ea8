/**
 * A piece-exchange Wire fed arbitrary bytes over a real stream pair, in its handshake phase
 * or already open: whatever arrives, the wire passes on only in-range, in-order calls, and
 * ends cleanly, with ProtocolViolationError, or with RemoteRefusedError (an Error message):
 * never an exception out of the stream's event handler.
 */
import { defaultLogger } from '@libp2p/logger'
import fc from 'fast-check'
import { Wire } from '../../../protocols/piece-exchange/wire.js'
import { FuzzFailure, bytes, check, chunked, fuzzStreamPair, mutated } from '../target.js'
import { frameStream } from './arbitraries.js'
import type { FuzzTarget } from '../target.js'
import type { PieceWireHandler, SwarmEndpoint } from '../../../src/core/wire.js'

const PIECE_COUNT = 4
const pieceLength = (index: number): number => index === PIECE_COUNT - 1 ? 1000 : 600 * 1024
const CLOSE_WAIT_MS = 5000
const ALLOWED_ENDINGS = new Set([undefined, 'ProtocolViolationError', 'RemoteRefusedError'])
const log = defaultLogger().forComponent('shoal:fuzz:wire')

/** A handler that checks every call against the wire's contract; the first breach is kept. */
class CheckingHandler implements PieceWireHandler {
  breach?: string
  closes = 0
  closedWith?: Error
  private readonly offsets = new Map<number, number>()

  private index (what: string, index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= PIECE_COUNT) this.breach ??= `${what} with index ${index}`
  }

  onHave (index: number): void { this.index('have', index) }
  onRequest (index: number): void { this.index('request', index) }
  onCancel (index: number): void { this.index('cancel', index) }
  onReject (index: number): void { this.index('reject', index) }
  onChoke (): void {}
  onUnchoke (): void {}
  onPieceData (index: number, offset: number, data: Uint8Array): void {
    this.index('piece data', index)
    const expected = this.offsets.get(index) ?? 0
    if (offset !== expected) this.breach ??= `piece ${index}: data at ${offset}, expected ${expected}`
    if (offset + data.byteLength > pieceLength(index)) this.breach ??= `piece ${index}: data past its end`
    this.offsets.set(index, (offset + data.byteLength) % pieceLength(index))
  }

  onClose (err?: Error): void {
    this.closes++
    this.closedWith = err
  }
}

const endpoint: SwarmEndpoint = {
  contentId: 'fuzz',
  pieceCount: PIECE_COUNT,
  pieceLength,
  bitfield: () => Uint8Array.of(0xf0),
  attach: () => 'unknown-content'
}

async function feed (data: Uint8Array, cuts: number[], open: boolean, outbound: boolean): Promise<void> {
  const [remote, local] = await fuzzStreamPair()
  const handler = new CheckingHandler()
  let ended: { err?: Error } | undefined
  const wire = new Wire({ stream: local, remotePeer: 'fuzzer', outbound, log })
  wire.onEnd = (err) => { ended = { err } }
  if (open) wire.open(endpoint, handler)
  else {
    wire.onHandshake = () => endpoint
    wire.onBitfield = () => { wire.open(endpoint, handler) }
  }
  for (const chunk of chunked(data, cuts)) remote.send(chunk)
  await remote.close().catch(() => {})
  const deadline = Date.now() + CLOSE_WAIT_MS
  while (ended === undefined && Date.now() < deadline) await new Promise(resolve => setImmediate(resolve))
  remote.abort(new Error('done'))
  if (ended === undefined) throw new FuzzFailure(`the wire did not end within ${CLOSE_WAIT_MS} ms of the remote closing`)
  if (!ALLOWED_ENDINGS.has(ended.err?.name)) throw new FuzzFailure(`the wire ended with ${ended.err?.name}: ${ended.err?.message}`)
  if (handler.breach !== undefined) throw new FuzzFailure(`the handler was called out of contract: ${handler.breach}`)
  if (wire.isOpen || handler.closes > 1) throw new FuzzFailure(`after the end: open ${wire.isOpen}, onClose called ${handler.closes} times`)
}

export const pieceWire: FuzzTarget = {
  name: 'piece-exchange wire',
  description: 'a Wire (handshaking or open) over a stream pair, fed arbitrary frames and noise',
  run: async (runs, seed) => await check(fc.asyncProperty(
    fc.oneof(frameStream, mutated(frameStream), bytes()),
    fc.array(fc.nat(), { maxLength: 4 }),
    fc.boolean(),
    fc.boolean(),
    async (data, cuts, open, outbound) => { await feed(data, cuts, open, outbound) }
  ), runs, seed)
}
