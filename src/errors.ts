/**
 * Every failure Shoal reports has a named class. Callers match on `.name`, not `instanceof`,
 * so the check still holds when two copies of the package are installed.
 */

export class ShoalError extends Error {
  static override name = 'ShoalError'
  /** Safe to show to a user as is: no stack trace needed to understand it. */
  readonly userFacing: boolean = true

  constructor (message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = (this.constructor as { name: string }).name
  }
}

/** The config file is missing, is not JSON, or a key is unknown or has a bad value. */
export class ConfigError extends ShoalError {
  static override name = 'ConfigError'
}

/** A string that is not a valid Shoal content id (a CIDv1 of a manifest). */
export class InvalidContentIdError extends ShoalError {
  static override name = 'InvalidContentIdError'
}

/** Manifest bytes that do not decode, break a limit, or name an unsafe path. */
export class InvalidManifestError extends ShoalError {
  static override name = 'InvalidManifestError'
}

/** A manifest whose hash is not the content id it was asked for. */
export class ManifestMismatchError extends ShoalError {
  static override name = 'ManifestMismatchError'
}

/**
 * A peer stopped answering, or answered slower than the protocol's minimum rate: it did not
 * break the wire format, it only held us. Counted, and banned once it does so too often.
 */
export class PeerStalledError extends ShoalError {
  static override name = 'PeerStalledError'
}

/** Nobody was found who has the content within the discovery timeout. */
export class NoProvidersError extends ShoalError {
  static override name = 'NoProvidersError'
}

/** A download did not finish before its deadline. */
export class DownloadTimeoutError extends ShoalError {
  static override name = 'DownloadTimeoutError'
}

/** A peer broke the wire protocol: a bad message, an oversized frame, an unknown piece. */
export class ProtocolViolationError extends ShoalError {
  static override name = 'ProtocolViolationError'
}

/**
 * A peer's streams would hold more of the node's memory than it allows (unfinished frames,
 * per peer and in all): the stream is reset. Not a violation: no ban for it alone.
 */
export class ResourceLimitError extends ShoalError {
  static override name = 'ResourceLimitError'
}

/** A path to add or to write to that cannot be used. */
export class PathError extends ShoalError {
  static override name = 'PathError'
}

/** Reading or writing content on disk failed (missing file, full disk, permissions). */
export class StorageError extends ShoalError {
  static override name = 'StorageError'
}

/** A record the node keeps in dataDir (a stored manifest, say) is damaged: what it holds is not used. */
export class DamagedRecordError extends StorageError {
  static override name = 'DamagedRecordError'
}

/** A write failed because the disk (or quota) is full; the message names the file. */
export class DiskFullError extends StorageError {
  static override name = 'DiskFullError'
}

/** A file served in place changed since its pieces were verified: what it holds now is not served. */
export class ContentChangedError extends StorageError {
  static override name = 'ContentChangedError'
}

/** The content is not known to this node. */
export class UnknownContentError extends ShoalError {
  static override name = 'UnknownContentError'
}

/** The CLI could not reach a running node, or the node refused the request. */
export class ApiError extends ShoalError {
  static override name = 'ApiError'
  constructor (message: string, readonly status = 500, options?: ErrorOptions) {
    super(message, options)
  }
}

/** The control API address in dataDir/api is not plain HTTP on a loopback address: the CLI will not send its token there. */
export class ApiLocationError extends ApiError {
  static override name = 'ApiLocationError'
  constructor (message: string, options?: ErrorOptions) {
    super(message, 400, options)
  }
}

/** The swarm key file is missing or not in the `/key/swarm/psk/1.0.0/` format. */
export class SwarmKeyError extends ShoalError {
  static override name = 'SwarmKeyError'
}

/** The node was stopped while an operation was running. */
export class NodeStoppedError extends ShoalError {
  static override name = 'NodeStoppedError'
}

/**
 * A protocol module named in the config's `protocols` could not be loaded or started: not
 * found, no factory exported, or its factory or `start()` threw. The message names the module.
 */
export class ProtocolLoadError extends ShoalError {
  static override name = 'ProtocolLoadError'
}

/** A piece that is not (yet) verified here was asked for. */
export class PieceNotVerifiedError extends ShoalError {
  static override name = 'PieceNotVerifiedError'
}

/** Another node (a live process) holds the data folder's lock: one node per data folder. */
export class DataDirLockedError extends ShoalError {
  static override name = 'DataDirLockedError'
  constructor (message: string, readonly pid?: number, options?: ErrorOptions) {
    super(message, options)
  }
}

/** A listen address (the config's `listen`, or the control API's port) is taken by another process. */
export class AddressInUseError extends ShoalError {
  static override name = 'AddressInUseError'
}

/** The node could not listen on an address of the config for another reason (no such local address, say). */
export class ListenError extends ShoalError {
  static override name = 'ListenError'
}

/** A peer address that is not a multiaddr ending in /p2p/<peer id>. */
export class InvalidAddressError extends ShoalError {
  static override name = 'InvalidAddressError'
}

/** `connect` did not reach the peer: unreachable, another peer id there, or refused by a private swarm. */
export class ConnectError extends ShoalError {
  static override name = 'ConnectError'
}

/** A swarm was cancelled (`shoal cancel`) while a get waited on it. */
export class CancelledError extends ShoalError {
  static override name = 'CancelledError'
}

/** Whether an error was raised by Shoal on purpose (and its message alone explains it). */
export function isUserFacing (err: unknown): err is ShoalError {
  return err instanceof Error && (err as Partial<ShoalError>).userFacing === true
}

/** `--only` named a path that is neither a file nor a folder of the content; the message lists close names. */
export class UnknownPathError extends ShoalError {
  static override name = 'UnknownPathError'
}

/** Text that is not a Shoal ticket (`shoal1…`), or one past a limit. */
export class InvalidTicketError extends ShoalError {
  static override name = 'InvalidTicketError'
}
