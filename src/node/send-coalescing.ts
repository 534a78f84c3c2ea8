import { Uint8ArrayList } from 'uint8arraylist'

/** Sends below this size wait for the rest of the current task's sends (see coalesceSmallSends). */
export const COALESCE_BELOW_BYTES = 4096

/** The parts of an AbstractMessageStream (@libp2p/utils v7) these functions use. */
interface MessageStream {
  send: (data: Uint8Array | Uint8ArrayList) => boolean
  writeStatus?: string
  writableNeedsDrain?: boolean
}

interface SocketConnection {
  socket?: {
    cork: () => void
    uncork: () => void
    write: (data: Uint8Array) => boolean
    readonly writableLength: number
    readonly writableHighWaterMark: number
  }
  sendData?: (data: Uint8ArrayList) => { sentBytes: number, canSendMore: boolean }
}

/**
 * Small sends to an encrypted connection go out together, as one Noise frame, once the
 * current task's synchronous work is done (a microtask). Yamux writes every frame it makes
 * as a send of its own: a window update per data frame read, each Have, each request. In a
 * 17-node swarm two thirds of a node's ~8,000 socket writes were such frames, each sealed,
 * written, read and opened on its own. A large send goes at once, behind what waits, so
 * bytes keep their order. The microtask runs before any await that follows the send
 * completes, so a connection closed right after its last frames still sends them.
 */
export function coalesceSmallSends (stream: MessageStream): void {
  const send = stream.send.bind(stream)
  let waiting: Uint8ArrayList | undefined
  const flush = (): boolean => {
    const data = waiting
    waiting = undefined
    if (data === undefined) return stream.writableNeedsDrain !== true
    return send(data)
  }
  const flushLater = (): void => {
    try {
      flush()
    } catch {
      // closed meanwhile: the connection's own close or abort reports it
    }
  }
  stream.send = (data) => {
    if (stream.writeStatus === 'closed' || stream.writeStatus === 'closing') {
      waiting = undefined
      return send(data) // throws the stream's own error
    }
    if (data.byteLength >= COALESCE_BELOW_BYTES) {
      if (waiting === undefined) return send(data)
      waiting.append(data)
      return flush()
    }
    if (waiting === undefined) {
      waiting = new Uint8ArrayList()
      queueMicrotask(flushLater)
    }
    waiting.append(data)
    return stream.writableNeedsDrain !== true
  }
}

/**
 * Each send's sealed frames leave in one write to the socket. The TCP connection writes every
 * part of its list on its own, and Noise hands on a frame as length, ciphertext and tag: with
 * Nagle off, three packets and three system calls for one frame. Corked, the socket takes
 * them in one writev. All parts are written even past the socket's high-water mark (the
 * stream would otherwise keep the rest back for a drain that then comes anyway); the answer
 * to "can send more" is the socket's, after the write.
 */
export function writeSendsAtOnce (connection: SocketConnection): void {
  const { socket } = connection
  if (socket === undefined || typeof connection.sendData !== 'function') return
  connection.sendData = (data) => {
    socket.cork()
    try {
      for (const buf of data) socket.write(buf)
    } finally {
      socket.uncork()
    }
    return { sentBytes: data.byteLength, canSendMore: socket.writableLength < socket.writableHighWaterMark }
  }
}
