import { createHash } from 'node:crypto'
import type { Manifest } from '../core/manifest.js'

/** One file of a content, where it lies in the content's byte sequence. */
export interface ContentFile {
  /** Its path in the content ('' for a single-file content). */
  path: string
  /** Offset of its first byte over all the content's files. */
  offset: number
  size: number
}

/** What a gateway path names: a file, or a folder to list. */
export type ContentEntry = { file: ContentFile } | { folder: string, entries: Array<{ name: string, folder: boolean }> }

/**
 * The file or folder at `path` ('' is the content itself) of a content, or undefined. Paths
 * are matched against the manifest only: nothing on disk is looked up by a request's path.
 */
export function findEntry (manifest: Manifest, path: string): ContentEntry | undefined {
  if (!manifest.directory) {
    return path === '' ? { file: { path: '', offset: 0, size: manifest.files[0]?.size ?? 0 } } : undefined
  }
  let offset = 0
  for (const file of manifest.files) {
    if (file.path === path) return { file: { path, offset, size: file.size } }
    offset += file.size
  }
  return listFolder(manifest, path)
}

/** The folder `path` ('' the top) as its direct entries, folders first; undefined if no file lies under it. */
function listFolder (manifest: Manifest, path: string): ContentEntry | undefined {
  const prefix = path === '' ? '' : `${path}/`
  const folders = new Set<string>()
  const files: string[] = []
  for (const file of manifest.files) {
    if (!file.path.startsWith(prefix)) continue
    const rest = file.path.slice(prefix.length)
    const slash = rest.indexOf('/')
    if (slash === -1) files.push(rest)
    else folders.add(rest.slice(0, slash))
  }
  if (folders.size === 0 && files.length === 0) return undefined
  return { folder: path, entries: [...[...folders].sort().map(name => ({ name, folder: true })), ...files.sort().map(name => ({ name, folder: false }))] }
}

/** A strong validator: content is immutable, so its id and the path name the bytes for good. */
export function entityTag (contentId: string, path: string): string {
  if (path === '') return `"${contentId}"`
  return `"${contentId}-${createHash('sha256').update(path).digest('hex').slice(0, 16)}"`
}

/** Types by extension; anything else is sent as bytes. Markup and scripts are plain text: the gateway serves data, not pages. */
const TYPES: Record<string, string> = {
  webm: 'video/webm',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mkv: 'video/x-matroska',
  mov: 'video/quicktime',
  ogv: 'video/ogg',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  wav: 'audio/wav',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  pdf: 'application/pdf',
  json: 'application/json',
  zip: 'application/zip',
  txt: 'text/plain; charset=utf-8',
  md: 'text/plain; charset=utf-8',
  csv: 'text/plain; charset=utf-8',
  html: 'text/plain; charset=utf-8',
  htm: 'text/plain; charset=utf-8',
  svg: 'text/plain; charset=utf-8',
  js: 'text/plain; charset=utf-8',
  css: 'text/plain; charset=utf-8'
}

export function contentType (name: string): string {
  const dot = name.lastIndexOf('.')
  const extension = dot === -1 ? '' : name.slice(dot + 1).toLowerCase()
  return TYPES[extension] ?? 'application/octet-stream'
}

/** A folder's plain HTML listing: links to its entries (every name escaped; the page runs no script). */
export function listingHtml (contentId: string, folder: string, entries: ReadonlyArray<{ name: string, folder: boolean }>): string {
  const base = `/content/${contentId}${folder === '' ? '' : `/${encodePath(folder)}`}`
  const title = escapeHtml(folder === '' ? contentId : `${contentId}/${folder}`)
  const items = entries.map(e => `<li><a href="${base}/${encodeURIComponent(e.name)}">${escapeHtml(e.name)}${e.folder ? '/' : ''}</a></li>`)
  return `<!doctype html>\n<meta charset="utf-8">\n<title>${title}</title>\n<h1>${title}</h1>\n<ul>\n${items.join('\n')}\n</ul>\n`
}

function encodePath (path: string): string {
  return path.split('/').map(encodeURIComponent).join('/')
}

function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)
}
