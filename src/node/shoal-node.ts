import { dirname } from 'node:path'
import { Registry } from 'prom-client'
import { preparePrivateDataDir } from '../config/data-dir.js'
import { IDENTITIES } from '../config/defaults.js'
import { resolveConfig } from '../config/load.js'
import { componentLogger } from './component-logger.js'
import { BanList, banFilePath } from './bans.js'
import { lockNodeDataDir } from './data-dir-lock.js'
import { localDialFilter, withLocalDialFilter } from './dial-policy.js'
import { loadOrCreateIdentity } from './identity.js'
import { buildLibp2p } from './libp2p.js'
import { explainListenFailure } from './listen-errors.js'
import { addressGuardOf } from './network-upkeep.js'
import { Node } from './node.js'
import { readSwarmKey } from './swarm-key.js'
import type { ConfigInput, ShoalConfig } from '../config/schema.js'
import type { DataDirLock } from './data-dir-lock.js'
import type { CreateNodeOptions, ShoalNode } from './node-types.js'
import type { ComponentLogger } from '@libp2p/interface'

// createNode: the data folder's lock, the identity, the swarm key and the gates first, then
// libp2p, then the Node (node.ts) over them

export type { CreateNodeOptions, NodeStatus, ShoalNode } from './node-types.js'

/** Build (and by default start) a node from a config file's contents or a loaded config. */
export async function createNode (config: ShoalConfig | ConfigInput, options: CreateNodeOptions = {}): Promise<ShoalNode> {
  const resolved = isResolved(config) ? config : resolveConfig(config)
  const logger = options.logger ?? componentLogger()
  // the lock comes before anything is written in dataDir: a second node must not touch the first's files
  const lock = await lockNodeDataDir(resolved, logger.forComponent('shoal:node'), options.onNotice)
  try {
    return await buildNode(resolved, lock, logger, options)
  } catch (err) {
    await lock.release().catch(() => {})
    throw err
  }
}

async function buildNode (resolved: ShoalConfig, lock: DataDirLock, logger: ComponentLogger, options: CreateNodeOptions): Promise<ShoalNode> {
  await preparePrivateDataDir(resolved.dataDir, (message) => { logger.forComponent('shoal:node').error(message) })
  const privateKey = await loadOrCreateIdentity(resolved.dataDir)
  const swarmKey = resolved.swarmKey === undefined ? undefined : await readSwarmKey(resolved.swarmKey)
  const bans = await BanList.open({ durationMs: resolved.limits.banDuration, path: banFilePath(resolved.dataDir), maxBans: IDENTITIES.maxBans, saveDelayMs: IDENTITIES.banSaveDelay, log: logger.forComponent('shoal:bans') })
  const addresses = addressGuardOf(resolved, logger)
  // loopback and link-local addresses named by peers are not dialled unless the node lives there too
  const dialFilter = localDialFilter({ listen: resolved.listen, dialLocalAddresses: resolved.dialLocalAddresses, trusted: resolved.bootstrap })
  const connectionGater = withLocalDialFilter({ ...bans.gater(), ...addresses.gater() }, dialFilter)
  const metricsRegistry = new Registry()
  const libp2p = await buildLibp2p({ config: resolved, privateKey, psk: swarmKey?.psk, connectionGater, logger, metricsRegistry })
  const protocolBaseDir = options.protocolBaseDir ?? (resolved.configPath === undefined ? process.cwd() : dirname(resolved.configPath))
  const node = new Node(resolved, libp2p, { bans, addresses, lock, dialFilter, metricsRegistry }, logger, protocolBaseDir, swarmKey?.fingerprint)
  if (options.start !== false) {
    try {
      await node.start()
    } catch (err) {
      await node.stop().catch(() => {})
      throw explainListenFailure(err, resolved)
    }
  }
  return node
}

function isResolved (config: ShoalConfig | ConfigInput): config is ShoalConfig {
  return Object.isFrozen(config)
}

