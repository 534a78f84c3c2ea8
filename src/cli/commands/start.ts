import { MetricsServer } from '../../api/metrics.js'
import { ApiServer } from '../../api/server.js'
import { explainApiListenFailure } from '../../node/listen-errors.js'
import { parsePeerAddress } from '../../node/peer-address.js'
import { createNode } from '../../node/shoal-node.js'
import { refuseDataDirInPackage } from '../package-folder.js'
import { UsageError } from '../usage.js'
import type { ShoalConfig } from '../../config/schema.js'
import type { ShoalNode } from '../../node/shoal-node.js'
import type { CommandContext } from '../context.js'

export interface StartOptions {
  /** `--bootstrap ADDR`s: added to the config's bootstrap list for this run. */
  bootstrap?: readonly string[]
}

/** `shoal start`: run the node in the foreground until SIGINT/SIGTERM or `shoal stop`. */
export async function start (ctx: CommandContext, options: StartOptions = {}): Promise<void> {
  const config = withBootstrap(await ctx.config(), options.bootstrap ?? [])
  refuseDataDirInPackage(config.dataDir)
  const node = await createNode(config, { onNotice: (message) => { ctx.err(`shoal: ${message}`) } })
  let api: ApiServer | undefined
  let metrics: MetricsServer | undefined
  let stopping: Promise<void> | undefined
  const shutdown = async (why: string): Promise<void> => {
    stopping ??= (async () => {
      ctx.err(`shoal: stopping (${why})`)
      await api?.stop().catch(() => {})
      await metrics?.stop().catch(() => {})
      await node.stop()
      ctx.err('shoal: stopped')
    })()
    await stopping
  }
  try {
    api = new ApiServer({
      node,
      host: config.api.host,
      port: config.api.port,
      dataDir: config.dataDir,
      log: node.libp2p.logger.forComponent('shoal:api'),
      onStop: () => { void shutdown('stop requested').then(() => process.exit(0)) }
    })
    await api.start()
  } catch (err) {
    await node.stop()
    throw explainApiListenFailure(err, config.api, config)
  }
  if (config.metrics !== undefined) metrics = await startMetrics(node, config.metrics, config, async () => { await api?.stop() })
  const status = node.status()
  ctx.out(`peer id: ${status.peerId}`)
  for (const address of status.addresses) ctx.out(`listening on ${address}`)
  ctx.out(`control API: ${api.address}`)
  if (status.gatewayUrl !== undefined) ctx.out(`gateway: ${status.gatewayUrl}/content/<content id>`)
  if (status.gatewayUrl !== undefined && !isLoopback(config.gateway.host)) ctx.err(`shoal: warning: the gateway on ${status.gatewayUrl} serves content to anyone who can reach it`)
  if (metrics !== undefined) ctx.out(`metrics (no token): ${metrics.address}/metrics`)
  if (metrics !== undefined && !isLoopback(config.metrics?.host ?? '')) ctx.err(`shoal: warning: the metrics listener on ${metrics.address} answers anyone who can reach it, without a token`)
  if (status.swarmKey !== undefined) ctx.out(`private swarm: key fingerprint ${status.swarmKey}`)
  ctx.out(`swarms: ${status.swarms.length} (${status.swarms.filter(s => s.state === 'seeding').length} seeding)`)
  ctx.out('ready')
  await new Promise<void>(resolve => {
    const onSignal = (signal: string): void => { void shutdown(signal).then(resolve) }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  })
}

/** The config's opt-in metrics listener; on failure the node and the API stop, and a busy port is said plainly. */
async function startMetrics (node: ShoalNode, listen: { host: string, port: number }, config: ShoalConfig, stopApi: () => Promise<void>): Promise<MetricsServer> {
  const metrics = new MetricsServer({ source: node, ...listen, log: node.libp2p.logger.forComponent('shoal:metrics') })
  try {
    await metrics.start()
    return metrics
  } catch (err) {
    await stopApi().catch(() => {})
    await node.stop()
    throw explainApiListenFailure(err, listen, config, { key: 'metrics', purpose: 'the metrics' })
  }
}

function isLoopback (host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

/** The config with the command line's bootstrap addresses added (each checked: a usage error names a bad one). */
function withBootstrap (config: ShoalConfig, extra: readonly string[]): ShoalConfig {
  for (const address of extra) {
    try {
      parsePeerAddress(address)
    } catch (err) {
      throw new UsageError(`--bootstrap: ${(err as Error).message}`)
    }
  }
  if (extra.length === 0) return config
  // frozen, as a loaded config is (createNode takes a frozen config as already resolved)
  const bootstrap = Object.freeze([...new Set([...config.bootstrap, ...extra])]) as string[]
  return Object.freeze({ ...config, bootstrap })
}
