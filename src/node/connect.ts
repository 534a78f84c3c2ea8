import { NETWORK } from '../config/defaults.js'
import { ConnectError } from '../errors.js'
import { parsePeerAddress } from './peer-address.js'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

export interface ConnectedPeer {
  peerId: string
  /** The address the connection reached. */
  address: string
}

export interface ConnectInit {
  libp2p: Libp2p
  /** Let the dial policy dial this address: the user named it, as a bootstrap address. */
  trust(address: Multiaddr): void
  /** Whether the node is in a private swarm (a failed handshake then most likely means another key). */
  privateSwarm: boolean
  timeoutMs?: number
}

/**
 * Dial a peer the user named (`shoal connect`): a multiaddr ending in /p2p/<peer id>. Resolves
 * with the peer and the address reached; a failure is a ConnectError saying why, as far as
 * the dial tells: unreachable, another peer at that address, or a private swarm's key.
 */
export async function connectToPeer (init: ConnectInit, text: string, signal?: AbortSignal): Promise<ConnectedPeer> {
  const { address, peerId } = parsePeerAddress(text)
  init.trust(address)
  const timeout = AbortSignal.timeout(init.timeoutMs ?? NETWORK.connectTimeout)
  try {
    const connection = await init.libp2p.dial(address, { signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]) })
    return { peerId: connection.remotePeer.toString(), address: connection.remoteAddr.toString() }
  } catch (err) {
    signal?.throwIfAborted()
    throw new ConnectError(`cannot connect to ${text}: ${dialFailure(err as Error, peerId, timeout.aborted, init.privateSwarm)}`, { cause: err })
  }
}

/** Why a dial failed, in the user's terms. */
export function dialFailure (err: Error, peerId: string, timedOut: boolean, privateSwarm: boolean): string {
  const text = describeChain(err)
  if (/UnexpectedPeer|does not match expected remote|expected remote peer/i.test(text)) return `the peer at that address is not ${peerId}`
  if (/dial self/i.test(text)) return 'that is this node\'s own peer id'
  if (/ECONNREFUSED/.test(text)) return 'connection refused (no node listens at that address)'
  if (/EHOSTUNREACH|ENETUNREACH/.test(text)) return 'the host is unreachable'
  if (/DialDenied|denied/i.test(text)) return 'the dial was refused by this node\'s connection rules (a banned peer or address?)'
  const handshake = privateSwarm
    ? 'the connection failed in its handshake: the peer is not in this private swarm (no swarm key, or another key)'
    : 'the connection failed in its handshake: the peer may be in a private swarm (it needs the same swarm key)'
  if (timedOut || /timeout|timed out|aborted/i.test(text)) {
    if (/handshake|encrypt|noise|protector|pnet|crypto/i.test(text)) return handshake
    return privateSwarm
      ? 'no answer in time: the peer is unreachable, or not in this private swarm (no swarm key, or another key)'
      : 'no answer in time (the peer is unreachable, or a firewall drops the packets)'
  }
  if (/handshake|encrypt|noise|protector|pnet|crypto|EOF|ended|reset|ECONNRESET|closed/i.test(text)) return handshake
  return err.message
}

/** An error with its causes and an AggregateError's errors, as one string to match on. */
function describeChain (err: Error): string {
  const parts: string[] = []
  const walk = (e: unknown, depth: number): void => {
    if (!(e instanceof Error) || depth > 5) return
    parts.push(`${e.name}: ${e.message}`)
    if (e instanceof AggregateError) for (const inner of e.errors) walk(inner, depth + 1)
    walk(e.cause, depth + 1)
  }
  walk(err, 0)
  return parts.join(' | ')
}
