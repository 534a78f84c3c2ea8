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

/** `get` through the API: resolves with the last event of the node's progress stream; `onEvent` sees each as it comes. */
export async function getThroughApi (dataDir: string, contentId: string, output: string, signal: AbortSignal, onEvent?: (event: GetEvent) => void): Promise<GetEvent> {
  const { url, headers } = await api(dataDir)
  const res = await fetch(`${url}/v1/get`, { method: 'POST', headers, body: JSON.stringify({ contentId, output, timeout: 60_000 }), signal })
  if (res.body === null) throw new Error(`get answered ${res.status} with no body`)
  let last: GetEvent | undefined
  let partial = ''
  for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines.filter(l => l.trim() !== '')) {
      last = JSON.parse(line) as GetEvent
      onEvent?.(last)
    }
  }
  if (partial.trim() !== '') last = JSON.parse(partial) as GetEvent
  if (last === undefined) throw new Error('get answered nothing')
  return last
}

export interface Ban { peerId: string, reason: string }

/** The parts of `status` this test reads. */
export interface StatusView { peerId: string, addresses: string[], connections: number, bans: Ban[], swarms: Array<{ uploaded: number, downloaded: number }> }

export async function statusOf (dataDir: string): Promise<StatusView> {
  const { url, headers } = await api(dataDir)
  const res = await fetch(`${url}/v1/status`, { headers, signal: AbortSignal.timeout(10_000) })
  return (await res.json()) as StatusView
}

/** Bytes of piece data the node has handed to each peer of its first swarm, as `status --peers` shows them now. */
export async function uploadsOf (dataDir: string): Promise<Map<string, number>> {
  const { url, headers } = await api(dataDir)
  const res = await fetch(`${url}/v1/status?peers=1`, { headers, signal: AbortSignal.timeout(10_000) })
  const { swarms } = (await res.json()) as { swarms: Array<{ peerDetails?: Array<{ peerId: string, uploaded: number }> }> }
  return new Map((swarms[0]?.peerDetails ?? []).map(p => [p.peerId, p.uploaded]))
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
