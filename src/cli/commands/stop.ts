import { existsSync } from 'node:fs'
import { apiFilePaths } from '../../api/files.js'
import { sleep } from '../../utils/sleep.js'
import type { CommandContext } from '../context.js'

/** `shoal stop`: ask the running node to shut down and wait until it has. */
export async function stop (ctx: CommandContext): Promise<void> {
  const client = await ctx.client()
  await client.call('POST', '/v1/stop')
  const { api } = apiFilePaths(await ctx.dataDir())
  // polled often: the command's answer waits on it (10 s at most)
  for (let i = 0; i < 500 && existsSync(api); i++) await sleep(20)
  ctx.err('shoal: node stopped')
}
