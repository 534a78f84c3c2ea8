import { writeFile } from 'node:fs/promises'
import { UsageError } from '../usage.js'
import { generateSwarmKey } from '../../node/swarm-key.js'
import type { CommandContext } from '../context.js'

/** `shoal swarm-key generate [--output FILE]`: a new pre-shared key in Kubo's swarm.key format. */
export async function swarmKey (ctx: CommandContext, action: string | undefined, output: string | undefined): Promise<void> {
  if (action !== 'generate') throw new UsageError('usage: shoal swarm-key generate [--output FILE]')
  const key = `${generateSwarmKey()}\n`
  if (output === undefined) {
    process.stdout.write(key)
    return
  }
  await writeFile(output, key, { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(err.code === 'EEXIST' ? `${output} already exists; not overwriting a key` : `cannot write ${output}: ${err.message}`)
  })
  ctx.err(`wrote a new swarm key to ${output}; give the same file to every node of the private swarm`)
}
