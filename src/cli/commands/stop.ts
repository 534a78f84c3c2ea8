import { existsSync } from 'node:fs'
import { apiFilePaths } from '../../api/files.js'
import { lockFilePath } from '../../node/data-dir-lock.js'
import { sleep } from '../../utils/sleep.js'
import type { CommandContext } from '../context.js'

/** `shoal stop`: ask the running node to shut down and wait until it has. */
export async function stop (ctx: CommandContext): Promise<void> {
  const client = await ctx.client()
  await client.call('POST', '/v1/stop')
  const dataDir = await ctx.dataDir()
  const { api } = apiFilePaths(dataDir)
  // polled often: the command's answer waits on it (10 s at most each)
  for (let i = 0; i < 500 && existsSync(api); i++) await sleep(20)
  // the lock goes last, once the node has shut down: a start right after this finds the folder free
  const lock = lockFilePath(dataDir)
  for (let i = 0; i < 500 && existsSync(lock); i++) await sleep(20)
  ctx.err('shoal: node stopped')
}
