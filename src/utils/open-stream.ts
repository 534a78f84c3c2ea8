import type { Connection, PeerId, Stream } from '@libp2p/interface'

/** What `openPreferredStream` needs of libp2p's connection manager. */
export interface StreamOpener {
  getConnections: (peer?: PeerId) => Connection[]
  openStream: (peer: PeerId, protocol: string, options?: { signal?: AbortSignal, runOnLimitedConnection?: boolean }) => Promise<Stream>
}

/** Whether a connection goes through a circuit relay (its remote address names `/p2p-circuit`). */
export function isRelayed (connection: Pick<Connection, 'remoteAddr'>): boolean {
  return connection.remoteAddr.getComponents().some(c => c.name === 'p2p-circuit')
}

/**
 * The open connection to `peer` that a new stream should use: a direct one when there is one,
 * else an unlimited relayed one, else a limited relayed one (the relay may end it at its
 * limits). undefined when there is none.
 */
export function preferredConnection (connections: readonly Connection[]): Connection | undefined {
  const open = connections.filter(c => c.status === 'open')
  return open.find(c => !isRelayed(c)) ?? open.find(c => c.limits == null) ?? open[0]
}

/**
 * A stream for `protocol` to `peer` over its preferred connection, dialling when there is
 * none. Unlike libp2p's `openStream`, a limited (relayed) connection is used rather than
 * dialled past: a peer behind a NAT is reached only through its relay.
 */
export async function openPreferredStream (opener: StreamOpener, peer: PeerId, protocol: string, options: { signal?: AbortSignal } = {}): Promise<Stream> {
  const connection = preferredConnection(opener.getConnections(peer))
  if (connection === undefined) return await opener.openStream(peer, protocol, { ...options, runOnLimitedConnection: true })
  return await connection.newStream(protocol, { ...options, runOnLimitedConnection: true })
}
