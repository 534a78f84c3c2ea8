import { AddressInUseError, ListenError } from '../errors.js'
import type { ShoalConfig } from '../config/schema.js'

/**
 * A failed listen told as the user can act on it: libp2p reports it as advice to set
 * `transportManager.faultTolerance` (a key Shoal has no config for) with every address's
 * error in its message; the user needs the address, who may hold it, and the key to change.
 */
export function explainListenFailure (err: unknown, config: Pick<ShoalConfig, 'configPath'>): unknown {
  if ((err as Error | undefined)?.name !== 'UnsupportedListenAddressesError') return err
  const failures = listenFailures((err as Error).message)
  const where = configName(config.configPath)
  const busy = failures.filter(f => /EADDRINUSE|address already in use/i.test(f.reason))
  if (busy.length > 0) {
    return new AddressInUseError(`cannot listen on ${busy.map(f => f.address).join(', ')}: the address is in use, perhaps by another Shoal node or an IPFS node (Kubo's default port is 4001); change "listen" in ${where}, or use port 0 for any free port`, { cause: err })
  }
  const told = failures.map(f => `${f.address} (${f.reason})`).join(', ')
  return new ListenError(`cannot listen on ${told === '' ? 'the configured addresses' : told}; check "listen" in ${where}`, { cause: err })
}

/** The control API's port taken: the same advice, for `api.port`. */
export function explainApiListenFailure (err: unknown, api: { host: string, port: number }, config: Pick<ShoalConfig, 'configPath'>, listener = { key: 'api', purpose: 'the control API' }): unknown {
  if ((err as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') return err
  const address = `${api.host.includes(':') ? `[${api.host}]` : api.host}:${api.port}`
  return new AddressInUseError(`cannot listen on ${address} for ${listener.purpose}: the address is in use, perhaps by another Shoal node; change "${listener.key}.port" in ${configName(config.configPath)}, or use port 0 for any free port`, { cause: err })
}

/** The address and error lines of libp2p's message: "\n  /ip4/…/tcp/4100: listen EADDRINUSE: …". */
export function listenFailures (message: string): Array<{ address: string, reason: string }> {
  return [...message.matchAll(/^\s+(\/\S+): (.+)$/gm)].map(m => ({ address: m[1], reason: m[2].trim().replace(/^Error: /, '') }))
}

function configName (configPath: string | undefined): string {
  return configPath ?? 'the config'
}
