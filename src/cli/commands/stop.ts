import { existsSync } from 'node:fs'
import { apiFilePaths } from '../../api/files.js'
import { sleep } from '../../utils/sleep.js'
import type { CommandContext } from '../context.js'

/** `shoal stop`: ask the running node to shut down and wait until it has. */
export async function stop (ctx: CommandContext): Promise<void> {
  const client = await ctx.client()
  await client.call('POST', '/v1/stop')
  const { api } = apiFilePaths(await ctx.dataDir())
  for (let i = 0; i < 100 && existsSync(api); i++) await sleep(100)
  ctx.err('shoal: node stopped')
}
