import type { PieceWire, ReadWatch, RejectReason } from '../../../src/core/wire.js'

export type WireCall =
  | ['have' | 'request' | 'cancel', number]
  | ['reject', number, RejectReason]
  | ['close', Error | undefined]
  | ['choke' | 'unchoke']

/** Records what the session sends; sends nothing anywhere. */
export class FakeWire implements PieceWire {
  readonly remotePeer = 'peer-A'
  readonly outbound = true
  readonly stats = { uploaded: 0, downloaded: 0 }
  readonly calls: WireCall[] = []
  sendHave (index: number): void { this.calls.push(['have', index]) }
  sendRequest (index: number): void { this.calls.push(['request', index]) }
  sendCancel (index: number): void { this.calls.push(['cancel', index]) }
  sendReject (index: number, reason: RejectReason): void { this.calls.push(['reject', index, reason]) }
  sendChoke (): void { this.calls.push(['choke']) }
  sendUnchoke (): void { this.calls.push(['unchoke']) }
  /** The watch of the last piece sent: a test calls its onStall as the wire would. */
  watch?: ReadWatch
  /** What the next sendPiece resolves with: true (sent), or a promise the test settles. */
  nextSend: Promise<boolean> = Promise.resolve(true)
  async sendPiece (_index: number, _data: Uint8Array, _pacing?: unknown, watch?: ReadWatch): Promise<boolean> {
    this.watch = watch
    return await this.nextSend
  }

  close (err?: Error): void { this.calls.push(['close', err]) }
}

