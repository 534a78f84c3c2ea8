import { parseContentId } from '../../core/content-id.js'
import { UsageError } from '../usage.js'
import type { CommandContext } from '../context.js'

/**
 * `shoal select CID PATH… | --all`: change which files a running download fetches; files
 * dropped keep what is written of them. One line says the selection now.
 */
export async function select (ctx: CommandContext, cidText: string, paths: readonly string[], flags: { all: boolean }): Promise<void> {
  if (flags.all === (paths.length > 0)) throw new UsageError('shoal select needs the files or folders to fetch (PATH…), or --all')
  const contentId = parseContentId(cidText).toString()
  const client = await ctx.client()
  const result = await client.call<{ only?: string[] }>('POST', '/v1/select', flags.all ? { contentId } : { contentId, only: paths })
  ctx.out(result.only === undefined ? `${contentId}: every file selected` : `${contentId}: ${result.only.length} file(s) selected: ${result.only.join(', ')}`)
}
