import type { CommandContext } from '../context.js'

/** What the node answers to `POST /v1/dashboard/login-code`. */
export interface LoginCode {
  code: string
  /** The dashboard's login URL, carrying the code. */
  url: string
  /** ms the code can be used, once. */
  expiresIn: number
}

/**
 * `shoal dashboard`: a one-time login URL for the node's web dashboard, last on stdout. The
 * URL carries a code the node trades once for a session cookie; the API token stays here.
 */
export async function dashboard (ctx: CommandContext): Promise<void> {
  const client = await ctx.client()
  const login = await client.call<LoginCode>('POST', '/v1/dashboard/login-code')
  ctx.err(`shoal: open this URL in a browser on this machine (it logs in once, within ${Math.round(login.expiresIn / 1000)} s):`)
  ctx.out(login.url)
}
