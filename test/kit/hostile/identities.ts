import { multiaddr } from '@multiformats/multiaddr'
import { ErrorCode, Message } from '../../../protocols/piece-exchange/pb/piece-exchange.js'
import { encodeFrame } from '../../../src/utils/frames.js'
import { readFrames } from '../../integration/helpers/read-frames.js'
import { PIECE_EXCHANGE, bareNode, emptyBitfield } from './base.js'
import type { Libp2p, Stream } from '@libp2p/interface'

/**
 * Identities cost nothing: a hostile host makes as many peer ids as it likes, all from one
 * address. Each helper here makes fresh bare libp2p nodes (see `bareNode`), dialling from
 * `localAddress` so the target sees them at an address its honest peers do not share.
 */
export interface IdentityOptions {
  /** Dial from this local IP (e.g. 127.0.0.2), or identity n from `localAddress(n)`. @default the system's choice */
  localAddress?: string | ((n: number) => string)
  /** Identities at work at once. @default 8 */
  concurrency?: number
}

/** Connections or sessions held by hostile identities, until `stop()`. */
export interface Held {
  /** Connections (or swarm sessions) the target accepted, and those it refused. */
  accepted: number
  refused: number
  /** For swarm sessions: how the target answered each refused handshake (e.g. SWARM_FULL). */
  refusals: string[]
  stop(): Promise<void>
}

/**
 * Open `count` connections to `target` from `identities` fresh peer ids (several connections
 * each), `perSecond` a second (libp2p refuses more than `limits.inboundConnectionRate` a
 * second from one address, so a patient attacker stays under it), and hold them, idle: no
 * stream, nothing sent.
 */
export async function holdIdleConnections (target: string, count: number, options: IdentityOptions & { identities?: number, perSecond?: number } = {}): Promise<Held> {
  const nodes = await Promise.all(Array.from({ length: options.identities ?? 10 }, async (_, n) => await bareNode(addressOf(options, n), false)))
  const held: Held = { accepted: 0, refused: 0, refusals: [], stop: async () => { await Promise.all(nodes.map(async n => { await n.stop() })) } }
  const dials: Array<Promise<void>> = []
  for (let n = 0; n < count; n++) {
    dials.push(nodes[n % nodes.length].dial(multiaddr(target), { force: true, signal: AbortSignal.timeout(10_000) }).then(() => { held.accepted++ }, () => { held.refused++ }))
    await new Promise(resolve => setTimeout(resolve, 1000 / (options.perSecond ?? 20)))
  }
  await Promise.all(dials)
  return held
}

/** What a run of banned identities came to. */
export interface ChurnResult {
  /** Identities whose violation reached the target (it resets the stream and bans them). */
  violated: number
  /** Identities the target refused before they could send anything. */
  refused: number
  /** Identities that failed on the attacker's side (its own node would not start or stop), and the last such error. */
  failed: number
  lastFailure?: string
  ms: number
}

/**
 * `count` fresh identities in a row, each of which dials `target`, opens a piece-exchange
 * stream and sends a Request in place of a handshake: a protocol violation, for which the
 * target bans it at once. None is used twice; each node is stopped when done.
 */
export async function churnBannedIdentities (target: string, count: number, options: IdentityOptions = {}): Promise<ChurnResult> {
  const result: ChurnResult = { violated: 0, refused: 0, failed: 0, ms: 0 }
  const failed = (err: Error): void => {
    result.failed++
    result.lastFailure = err.message
  }
  const started = Date.now()
  let next = 0
  await inParallel(options.concurrency ?? 8, async () => {
    while (next < count) {
      const n = next++
      // an attacker whose own node fails is counted apart: it says nothing of the target
      const node = await bareNode(addressOf(options, n), false).catch(failed)
      if (node === undefined) continue
      try {
        const stream = await node.dialProtocol(multiaddr(target), PIECE_EXCHANGE, { signal: AbortSignal.timeout(10_000) })
        stream.send(encodeFrame(Message.encode({ request: { index: n } })))
        await closed(stream, 10_000)
        result.violated++
      } catch {
        result.refused++
      } finally {
        await stopQuietly(node, failed)
      }
    }
  })
  result.ms = Date.now() - started
  return result
}

/**
 * `count` fresh identities join `target`'s swarm of `contentId` as leechers with nothing
 * (a handshake with an empty bitfield), then sit in it: they never ask for anything and
 * never answer. Resolves once each was accepted (the target's handshake came back) or refused.
 */
export async function joinIdle (target: string, contentId: Uint8Array, pieceCount: number, count: number, options: IdentityOptions = {}): Promise<Held> {
  const nodes: Libp2p[] = []
  const held: Held = { accepted: 0, refused: 0, refusals: [], stop: async () => { await Promise.all(nodes.map(async n => { await n.stop() })) } }
  let next = 0
  await inParallel(options.concurrency ?? 8, async () => {
    while (next < count) {
      const node = await bareNode(addressOf(options, next++), false)
      nodes.push(node)
      const answer = await handshake(node, target, contentId, pieceCount).catch((err: Error) => err.name)
      if (answer === 'handshake') held.accepted++
      else {
        held.refused++
        held.refusals.push(answer)
      }
    }
  })
  return held
}

/** Send a handshake with an empty bitfield; resolves with 'handshake' or the target's error code. */
async function handshake (node: Libp2p, target: string, contentId: Uint8Array, pieceCount: number): Promise<string> {
  const stream = await node.dialProtocol(multiaddr(target), PIECE_EXCHANGE, { signal: AbortSignal.timeout(10_000) })
  const answer = new Promise<string>((resolve) => {
    readFrames(stream, 1024 * 1024, {
      onFrame: (frame) => {
        const message = Message.decode(frame)
        resolve(message.handshake !== undefined ? 'handshake' : message.error !== undefined ? ErrorCode[message.error.code] : 'other')
      },
      onEnd: () => { resolve('closed') }
    })
  })
  stream.send(encodeFrame(Message.encode({ handshake: { contentId: contentId as Uint8Array<ArrayBuffer>, pieceCount, bitfield: emptyBitfield(pieceCount) as Uint8Array<ArrayBuffer> } })))
  return await answer
}

/** Resolves when the stream closes (the target reset it), or after `ms`. */
async function closed (stream: Stream, ms: number): Promise<void> {
  if (stream.status !== 'open') return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    stream.addEventListener('close', () => { clearTimeout(timer); resolve() }, { once: true })
  })
}

async function stopQuietly (node: Libp2p, failed: (err: Error) => void): Promise<void> {
  try {
    await node.stop()
  } catch (err) {
    failed(err as Error)
  }
}

function addressOf (options: IdentityOptions, n: number): string | undefined {
  return typeof options.localAddress === 'function' ? options.localAddress(n) : options.localAddress
}

async function inParallel (workers: number, work: () => Promise<void>): Promise<void> {
  await Promise.all(Array.from({ length: workers }, work))
}
