import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * A `shoal start` node's control API, through the files it leaves in its dataDir (what the
 * CLI does, without a CLI process per call), and its process's resident memory.
 */
async function api (dataDir: string): Promise<{ url: string, headers: Record<string, string> }> {
  const [url, token] = await Promise.all([readFile(join(dataDir, 'api'), 'utf8'), readFile(join(dataDir, 'api.token'), 'utf8')])
  return { url: url.trim(), headers: { authorization: `Bearer ${token.trim()}`, 'content-type': 'application/json' } }
}

export interface GetEvent { type: string, error?: { message: string } }

/** `get` through the API: resolves with the last event of the node's progress stream. */
export async function getThroughApi (dataDir: string, contentId: string, output: string, signal: AbortSignal): Promise<GetEvent> {
  const { url, headers } = await api(dataDir)
  const res = await fetch(`${url}/v1/get`, { method: 'POST', headers, body: JSON.stringify({ contentId, output, timeout: 60_000 }), signal })
  const lines = (await res.text()).trim().split('\n')
  return JSON.parse(lines[lines.length - 1]) as GetEvent
}

export interface Ban { peerId: string, reason: string }

/** The parts of `status` this test reads. */
export interface StatusView { peerId: string, addresses: string[], connections: number, bans: Ban[] }

export async function statusOf (dataDir: string): Promise<StatusView> {
  const { url, headers } = await api(dataDir)
  const res = await fetch(`${url}/v1/status`, { headers, signal: AbortSignal.timeout(10_000) })
  return (await res.json()) as StatusView
}

/** A process's resident set, in bytes (Linux: /proc/<pid>/status); 0 once it is gone. */
export function rssOf (pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? 0 : Number(match[1]) * 1024
  } catch {
    return 0
  }
}
