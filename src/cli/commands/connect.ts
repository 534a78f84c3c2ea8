import { parsePeerAddress } from '../../node/peer-address.js'
import { UsageError } from '../usage.js'
import type { CommandContext } from '../context.js'

/** `shoal connect ADDR`: the running node dials a peer the user names (and trusts, as a bootstrap address). */
export async function connect (ctx: CommandContext, address: string): Promise<void> {
  try {
    parsePeerAddress(address)
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  const client = await ctx.client()
  const reached = await client.call<{ peerId: string, address: string }>('POST', '/v1/connect', { address })
  ctx.out(`connected to ${reached.peerId} at ${reached.address}`)
}
