/**
 * A protocol module written only against Shoal's public entry, as a third party would write
 * it. With `{ trading: true }` it asks for the trading capability, and can then attach a
 * peer's wire of its own making to a swarm and read the manifest bytes a node serves;
 * without, it asks for nothing.
 */
import { parseContentId } from '../../../src/index.js'
import type { PieceWire, PieceWireHandler, RejectReason, ShoalComponents, ShoalProtocolService, ShoalServiceFactory } from '../../../src/index.js'

export interface PublicApiModuleInit {
  /** Ask for the trading capability. @default false */
  trading?: boolean
}

/** What the swarm sent down a wire attached through the trading capability. */
export interface WireLog {
  sent: string[]
  pieces: Map<number, Uint8Array>
}

export interface PublicApiModule extends ShoalProtocolService {
  /** The components it was given. */
  components(): ShoalComponents
  /** Attach a made-up peer `peerId`, holding nothing, to the swarm of `contentId`. */
  attach(contentId: string, peerId: string): { handler: PieceWireHandler | RejectReason, log: WireLog }
  /** The manifest bytes the node serves a peer asking for `contentId`. */
  manifestBytes(contentId: string): Uint8Array | undefined
}

export function publicApiModule (init: PublicApiModuleInit = {}): ShoalServiceFactory<PublicApiModule, 'trading'> | ShoalServiceFactory<PublicApiModule> {
  const build = (components: ShoalComponents): PublicApiModule => ({
    components: () => components,
    attach (contentId, peerId) {
      const endpoint = components.trading?.endpoint(contentId)
      if (endpoint === undefined) throw new Error(`no swarm to attach to for ${contentId}`)
      const log: WireLog = { sent: [], pieces: new Map() }
      const nothing = new Uint8Array(Math.ceil(endpoint.pieceCount / 8))
      return { handler: endpoint.attach(recordingWire(peerId, log), nothing), log }
    },
    manifestBytes: (contentId) => components.trading?.manifestBytes(parseContentId(contentId))
  })
  return init.trading === true ? Object.assign(build, { capabilities: ['trading'] as const }) : build
}

/** A wire that sends nothing anywhere: it writes down what the swarm asked it to send. */
function recordingWire (remotePeer: string, log: WireLog): PieceWire {
  const stats = { uploaded: 0, downloaded: 0 }
  return {
    remotePeer,
    outbound: false,
    stats,
    sendHave: (index) => { log.sent.push(`have:${index}`) },
    sendRequest: (index) => { log.sent.push(`request:${index}`) },
    sendCancel: (index) => { log.sent.push(`cancel:${index}`) },
    sendReject: (index, reason) => { log.sent.push(`reject:${index}:${reason}`) },
    sendChoke: () => { log.sent.push('choke') },
    sendUnchoke: () => { log.sent.push('unchoke') },
    sendPiece: async (index, data) => {
      log.sent.push(`piece:${index}`)
      log.pieces.set(index, Uint8Array.from(data))
      stats.uploaded += data.byteLength
      return true
    },
    close: () => { log.sent.push('close') }
  }
}

export default publicApiModule
