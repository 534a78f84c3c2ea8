import { ApiServer } from '../../api/server.js'
import { createNode } from '../../node/shoal-node.js'
import type { CommandContext } from '../context.js'

/** `shoal start`: run the node in the foreground until SIGINT/SIGTERM or `shoal stop`. */
export async function start (ctx: CommandContext): Promise<void> {
  const config = await ctx.config()
  const node = await createNode(config)
  let api: ApiServer | undefined
  let stopping: Promise<void> | undefined
  const shutdown = async (why: string): Promise<void> => {
    stopping ??= (async () => {
      ctx.err(`shoal: stopping (${why})`)
      await api?.stop().catch(() => {})
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
    throw err
  }
  const status = node.status()
  ctx.out(`peer id: ${status.peerId}`)
  for (const address of status.addresses) ctx.out(`listening on ${address}`)
  ctx.out(`control API: ${api.address}`)
  if (status.swarmKey !== undefined) ctx.out(`private swarm: key fingerprint ${status.swarmKey}`)
  ctx.out(`swarms: ${status.swarms.length} (${status.swarms.filter(s => s.state === 'seeding').length} seeding)`)
  ctx.out('ready')
  await new Promise<void>(resolve => {
    const onSignal = (signal: string): void => { void shutdown(signal).then(resolve) }
    process.once('SIGINT', onSignal)
    process.once('SIGTERM', onSignal)
  })
}
