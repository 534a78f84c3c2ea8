import type { Stream } from '@libp2p/interface'

/** The parts of a Yamux stream that set how much the remote may send before it must wait. */
interface YamuxReceiveWindow {
  recvWindow: number
  recvWindowCapacity: number
  maxStreamWindowSize: number
  sendWindowUpdate(): void
}

/**
 * Grant the remote a large receive window at once on a bulk-transfer stream.
 *
 * Yamux starts every stream at 256 KiB and doubles the window only when a whole window is
 * consumed within four measured round trips; on a busy event loop that rarely happens, and a
 * piece stream stayed at 1-2 MiB, which capped a loopback transfer near window/RTT. A window
 * update is how the Yamux spec lets a receiver grow its window, so this stays interoperable
 * with any Yamux peer; it does nothing on other muxers.
 */
export function growReceiveWindow (stream: Stream, bytes: number): void {
  const yamux = stream as unknown as Partial<YamuxReceiveWindow>
  if (typeof yamux.sendWindowUpdate !== 'function' || typeof yamux.recvWindow !== 'number' || typeof yamux.maxStreamWindowSize !== 'number') return
  const target = Math.min(bytes, yamux.maxStreamWindowSize)
  if (target <= yamux.recvWindow) return
  yamux.recvWindow = target
  yamux.sendWindowUpdate()
}
