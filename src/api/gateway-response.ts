import { once } from 'node:events'
import rangeParser from 'range-parser'
import { contentType, entityTag, listingHtml } from './gateway-paths.js'
import type { ContentFile } from './gateway-paths.js'
import type { StreamedContent } from '../swarm/streams.js'
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'

/** On every gateway response: served bytes never run as a page on the gateway's origin, and are never sniffed into one. */
export const SAFETY_HEADERS: OutgoingHttpHeaders = {
  'content-security-policy': 'sandbox',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer'
}

/** What part of a file a request asks for, by RFC 9110's rules. */
export type RangeAnswer = { status: 200 } | { status: 206, start: number, end: number } | { status: 416 }

/**
 * The Range header of a request for a file of `size` bytes: one range (open `N-` and suffix
 * `-N` too) is served as 206; an unsatisfiable one is 416. A malformed header, several ranges,
 * another unit, or an If-Range that no longer matches: the whole file (RFC 9110 lets a server
 * ignore Range).
 */
export function answerRange (req: Pick<IncomingMessage, 'headers'>, size: number, etag: string): RangeAnswer {
  const header = req.headers.range
  if (header === undefined) return { status: 200 }
  const ifRange = req.headers['if-range']
  if (ifRange !== undefined && ifRange !== etag) return { status: 200 }
  const ranges = rangeParser(size, wholeSuffix(header, size), { combine: true })
  if (ranges === -1) return { status: 416 }
  if (ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1) return { status: 200 }
  return { status: 206, start: ranges[0].start, end: ranges[0].end }
}

/**
 * A suffix longer than the file selects all of it (RFC 9110 14.1.1); range-parser calls it
 * unsatisfiable, so it is asked as `N-` from the first byte instead.
 */
function wholeSuffix (header: string, size: number): string {
  const suffix = /^bytes=\s*-(\d+)\s*$/.exec(header)
  return suffix !== null && size > 0 && Number(suffix[1]) > size ? 'bytes=0-' : header
}

/** Whether If-None-Match names this representation (or any: `*`). */
export function notModified (req: Pick<IncomingMessage, 'headers'>, etag: string): boolean {
  const header = req.headers['if-none-match']
  if (header === undefined) return false
  return header.split(',').some(tag => { const t = tag.trim().replace(/^W\//, ''); return t === '*' || t === etag })
}

/** A file of the content: headers at once, then its verified bytes (or the asked range) as they arrive. */
export async function sendFile (req: IncomingMessage, res: ServerResponse, content: StreamedContent, file: ContentFile, name: string, signal: AbortSignal): Promise<void> {
  const etag = entityTag(content.contentId, file.path)
  const headers: OutgoingHttpHeaders = {
    ...SAFETY_HEADERS,
    'accept-ranges': 'bytes',
    etag,
    'cache-control': 'public, max-age=31536000, immutable',
    'content-type': contentType(name)
  }
  if (notModified(req, etag)) {
    res.writeHead(304, headers).end()
    return
  }
  const range = answerRange(req, file.size, etag)
  if (range.status === 416) {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${file.size}`, 'content-type': 'text/plain; charset=utf-8' })
    res.end(req.method === 'HEAD' ? undefined : `Range Not Satisfiable: the file has ${file.size} bytes\n`)
    return
  }
  const [start, end] = range.status === 206 ? [range.start, range.end + 1] : [0, file.size]
  if (range.status === 206) headers['content-range'] = `bytes ${start}-${end - 1}/${file.size}`
  headers['content-length'] = end - start
  res.writeHead(range.status, headers)
  // the status line goes out now: a player learns the size before the first piece arrives
  res.flushHeaders()
  if (req.method === 'HEAD' || end === start) {
    res.end()
    return
  }
  for await (const chunk of content.read(file.offset + start, file.offset + end, signal)) {
    if (!res.write(chunk)) await once(res, 'drain', { signal })
  }
  res.end()
}

/** A folder of the content: its entries as links. */
export function sendListing (req: IncomingMessage, res: ServerResponse, contentId: string, folder: string, entries: ReadonlyArray<{ name: string, folder: boolean }>): void {
  const body = listingHtml(contentId, folder, entries)
  res.writeHead(200, { ...SAFETY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'public, max-age=31536000, immutable' })
  res.end(req.method === 'HEAD' ? undefined : body)
}
