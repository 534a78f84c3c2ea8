/** who-has: ask a peer how much of a content it holds. Read this one first (README.md, "Your own protocol"). */
import { InvalidMessageError } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import type { ShoalComponents, ShoalProtocolService } from '../../../src/index.js'
import type { AbortOptions, Connection, PeerId, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'

export const PROTOCOL = '/shoal-example/who-has/1.0.0'
/** A content id is about 60 bytes and an answer about 30: longer frames are refused unread. */
const MAX_MESSAGE = 256
const encode = (text: string): Uint8Array => new TextEncoder().encode(text)
const decode = (bytes: Uint8ArrayList): string => new TextDecoder().decode(bytes.subarray())

/** `timeout`: ms an exchange may take, asking or answering (default 5000). */
export interface WhoHasInit { timeout?: number }
export type WhoHasComponents = Pick<ShoalComponents, 'registrar' | 'connectionManager' | 'logger' | 'swarms'>
export interface Holding { pieces: number, of: number }
export interface WhoHas extends ShoalProtocolService {
  ask(peer: PeerId, contentId: string, options?: AbortOptions): Promise<Holding>
}

export function whoHas (init: WhoHasInit = {}): (components: WhoHasComponents) => WhoHas {
  const timeout = init.timeout ?? 5000
  return (components) => {
    const log = components.logger.forComponent('shoal:who-has')
    async function answer (stream: Stream, connection: Connection): Promise<void> {
      const signal = AbortSignal.timeout(timeout)
      const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE })
      const contentId = decode(await lp.read({ signal }))
      const swarm = components.swarms.get(contentId)
      log('%p asks about %s', connection.remotePeer, contentId)
      await lp.write(encode(JSON.stringify({ pieces: swarm?.piecesHave ?? 0, of: swarm?.pieceCount ?? 0 })), { signal })
      await stream.close({ signal })
    }
    return {
      async start () {
        await components.registrar.handle(PROTOCOL, (stream, connection) => {
          answer(stream, connection).catch((err: Error) => { stream.abort(err) })
        }, { maxInboundStreams: 4 })
      },
      async stop () { await components.registrar.unhandle(PROTOCOL) },
      async ask (peer, contentId, { signal = AbortSignal.timeout(timeout) } = {}) {
        const stream = await components.connectionManager.openStream(peer, PROTOCOL, { signal })
        try {
          const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE })
          await lp.write(encode(contentId), { signal })
          const { pieces, of } = JSON.parse(decode(await lp.read({ signal }))) as Holding
          if (!Number.isSafeInteger(pieces) || !Number.isSafeInteger(of) || pieces < 0 || pieces > of) throw new InvalidMessageError('answer out of range')
          await stream.close({ signal })
          return { pieces, of }
        } catch (err) {
          stream.abort(err as Error)
          throw err
        }
      }
    }
  }
}

export default whoHas
