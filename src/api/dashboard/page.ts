import { readFile, readdir } from 'node:fs/promises'
import { extname } from 'node:path'
import type { ServerResponse } from 'node:http'

/** The page's own files: HTML, CSS and ES modules shipped as they are (no build step). */
const STATIC_DIR = new URL('./static/', import.meta.url)

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml'
}

/**
 * What every dashboard response carries: only its own scripts and styles run (no inline
 * script, no other origin), no framing, no sniffing, no referrer, no cache.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin'
})

/** The page's files by name, read once. */
export class DashboardFiles {
  private files?: Promise<Map<string, { type: string, body: Buffer }>>

  /** Serve `/dashboard/<name>` (index.html for the folder itself); false if there is no such file. */
  async serve (name: string, res: ServerResponse): Promise<boolean> {
    const file = (await this.load()).get(name === '' ? 'index.html' : name)
    if (file === undefined) return false
    res.writeHead(200, { ...PAGE_HEADERS, 'content-type': file.type, 'content-length': file.body.byteLength })
    res.end(file.body)
    return true
  }

  private async load (): Promise<Map<string, { type: string, body: Buffer }>> {
    this.files ??= (async () => {
      const files = new Map<string, { type: string, body: Buffer }>()
      for (const name of await readdir(STATIC_DIR)) {
        const type = TYPES[extname(name)]
        if (type !== undefined) files.set(name, { type, body: await readFile(new URL(name, STATIC_DIR)) })
      }
      return files
    })()
    return await this.files
  }
}

/** A small HTML answer (401, 404) with the page's headers: says what to do, shows no data. */
export function plainPage (res: ServerResponse, status: number, message: string): void {
  const body = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Shoal</title><p>${escapeHtml(message)}</p>\n`
  res.writeHead(status, { ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8' })
  res.end(body)
}

function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}
