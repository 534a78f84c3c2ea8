import { Bitfield } from './bitfield.js'
import { PieceLayout } from './layout.js'
import { UnknownPathError } from '../errors.js'
import { closestName } from '../utils/did-you-mean.js'
import type { Manifest } from './manifest.js'

/** Which files of a content are wanted: one flag per manifest file. */
export type FileSelection = readonly boolean[]

/**
 * The files `paths` name: each a file of the manifest or a folder prefix of its paths
 * ("a/b" takes every file under a/b/). A single-file content's one path is its name. A path
 * that names nothing is an UnknownPathError listing the names closest to it.
 */
export function resolveSelection (manifest: Manifest, paths: readonly string[]): boolean[] {
  const selected = manifest.files.map(() => false)
  for (const raw of paths) {
    const path = normalisePath(raw, manifest)
    let found = false
    manifest.files.forEach((file, i) => {
      if (file.path === path || path === '' || file.path.startsWith(`${path}/`)) {
        selected[i] = true
        found = true
      }
    })
    if (!found) throw new UnknownPathError(unknownMessage(raw, manifest))
  }
  return selected
}

/** The selection as paths to keep on record: undefined when every file is selected. */
export function selectionPaths (manifest: Manifest, selected: FileSelection | undefined): string[] | undefined {
  if (selected === undefined || selected.every(Boolean)) return undefined
  return manifest.files.filter((_, i) => selected[i]).map(f => f.path)
}

/** Every selected file, and those of `more`. */
export function widenSelection (selected: FileSelection | undefined, more: FileSelection | undefined): FileSelection | undefined {
  if (selected === undefined || more === undefined) return undefined
  return selected.map((on, i) => on || more[i])
}

/** The pieces that hold a byte of a selected file (pieces shared with other files included). */
export function wantedPieces (layout: PieceLayout, selected: FileSelection): Bitfield {
  const wanted = new Bitfield(layout.pieceCount)
  for (let piece = 0; piece < layout.pieceCount; piece++) {
    if (layout.spans(piece).some(span => selected[span.fileIndex])) wanted.set(piece)
  }
  return wanted
}

/** The piece also holds bytes of a file that is not selected: only part of it is written. */
export function isBoundaryPiece (layout: PieceLayout, selected: FileSelection, piece: number): boolean {
  return layout.spans(piece).some(span => !selected[span.fileIndex])
}

/** A file's progress: its bytes verified and on disk (`holds(piece, file)`), and whether it is whole. */
export interface FileProgress {
  path: string
  size: number
  selected: boolean
  bytesVerified: number
  complete: boolean
}

export function fileProgress (manifest: Manifest, selected: FileSelection | undefined, holds: (piece: number, file: number) => boolean): FileProgress[] {
  const layout = new PieceLayout(manifest)
  const bytes = manifest.files.map(() => 0)
  for (let piece = 0; piece < layout.pieceCount; piece++) {
    for (const span of layout.spans(piece)) if (holds(piece, span.fileIndex)) bytes[span.fileIndex] += span.length
  }
  return manifest.files.map((file, i) => ({
    path: file.path,
    size: file.size,
    selected: selected?.[i] ?? true,
    bytesVerified: bytes[i],
    complete: bytes[i] === file.size
  }))
}

/** Paths are '/'-separated and relative to the content; a leading content name, './' or trailing '/' is dropped. */
function normalisePath (raw: string, manifest: Manifest): string {
  let path = raw.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '')
  if (!manifest.directory) return path === manifest.name || path === manifest.files[0].path ? '' : path
  if (path === manifest.name) return ''
  if (path.startsWith(`${manifest.name}/`) && !manifest.files.some(f => f.path === path || f.path.startsWith(`${path}/`))) path = path.slice(manifest.name.length + 1)
  return path
}

function unknownMessage (raw: string, manifest: Manifest): string {
  const names = new Set<string>()
  for (const file of manifest.files) {
    const parts = file.path.split('/')
    for (let depth = 1; depth <= parts.length; depth++) names.add(parts.slice(0, depth).join('/'))
  }
  const close = closestName(raw, names)
  const lastPart = raw.split('/').pop() ?? raw
  const sameName = [...names].filter(n => n.split('/').pop() === lastPart)
  const suggestions = [...new Set([...(close === undefined ? [] : [close]), ...sameName])].slice(0, 5)
  const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map(s => `"${s}"`).join(', ')}?` : `; it has ${[...names].filter(n => !n.includes('/')).slice(0, 5).map(s => `"${s}"`).join(', ')}${names.size > 5 ? ', …' : ''}`
  return `"${raw}" is not a file or folder of ${manifest.name}${hint}`
}
