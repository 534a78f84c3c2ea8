import { InvalidManifestError } from '../errors.js'
import { MANIFEST_LIMITS } from './manifest-limits.js'

/** A file as the tree check sees it: a '/'-separated relative path. */
export interface TreeFile {
  readonly path: string
  readonly size: number
}

/** Largest folder count a tree may name (MANIFEST_LIMITS by default; tests pass smaller ones). */
export interface TreeLimits {
  readonly maxFolders: number
}

/**
 * Every path safe to write, no file listed twice or also a folder, and no two names that are
 * one file on a case-insensitive or normalising file system (APFS, NTFS: `A` and `a`, or the
 * NFC and NFD spellings of `é`). One pass, in time and memory linear in the paths' total
 * length: each name is looked up under its parent's number (never a whole prefix), and the
 * folder count is capped as it grows.
 */
export function checkFileTree (files: readonly TreeFile[], limits: TreeLimits = MANIFEST_LIMITS): void {
  /** `${parent number}/${folded name}` → a folder's number (> 0) or a file's (< 0). */
  const entries = new Map<string, number>()
  /** Each folder's and file's name as spelled, by number: a folded match with another spelling is a collision. */
  const folderNames: string[] = ['']
  let filesSeen = 0
  for (const file of files) {
    if (!Number.isSafeInteger(file.size) || file.size < 0) fail(`bad size for "${printable(file.path)}"`)
    const parts = checkRelativePath(file.path)
    let parent = 0
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i]
      const key = `${parent}/${foldName(name)}`
      const found = entries.get(key)
      const isFile = i === parts.length - 1
      if (found === undefined) {
        if (isFile) {
          entries.set(key, -(++filesSeen))
        } else {
          if (folderNames.length > limits.maxFolders) fail(`more than ${limits.maxFolders} folders`)
          entries.set(key, folderNames.length)
          parent = folderNames.length
          folderNames.push(name)
        }
        continue
      }
      // only on the way to a failure: joined on every step, it would cost the square of the depth
      const where = (): string => parts.slice(0, i + 1).join('/')
      if (found < 0 || isFile) {
        // a file met again, or a folder where a file ends
        if (found < 0 && isFile && files[-found - 1]?.path === file.path) fail(`"${printable(file.path)}" appears twice`)
        if ((found < 0) !== isFile) fail(`"${printable(where())}" is both a file and a folder`)
        fail(`"${printable(files[-found - 1].path)}" and "${printable(file.path)}" ${ONE_FILE}`)
      }
      if (folderNames[found] !== name) fail(`the folders "${printable(folderNames[found])}" and "${printable(name)}" in "${printable(where())}" ${ONE_FILE}`)
      parent = found
    }
  }
}

const ONE_FILE = 'are one name on case-insensitive file systems (macOS, Windows)'

/**
 * The form two names share when APFS or NTFS would take them for one: Unicode-normalised
 * (NFC) and case-folded. Folding through upper then lower case also joins pairs such as
 * the Kelvin sign and `k`; it may join a few names that one of those systems keeps apart,
 * which only refuses a manifest that would be unsafe somewhere else.
 */
export function foldName (name: string): string {
  if (/^[\x00-\x7f]*$/.test(name)) return name.toLowerCase()
  return name.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC')
}

/** A '/'-separated relative path whose every component is a plain name. Returns the components. */
export function checkRelativePath (path: string): string[] {
  if (path.length === 0 || Buffer.byteLength(path) > MANIFEST_LIMITS.maxPathLength) {
    fail(`path length ${path.length} is out of range`)
  }
  const parts = path.split('/')
  if (parts.length > MANIFEST_LIMITS.maxDepth) fail(`"${printable(path)}" is nested too deep`)
  for (const part of parts) checkPathComponent(part, `path "${printable(path)}"`)
  return parts
}

/** One file or folder name: no separators, no '.', '..', NUL or control characters, at most 255 UTF-8 bytes. */
export function checkPathComponent (part: string, what: string): void {
  const bad = part.length === 0 ||
    Buffer.byteLength(part) > MANIFEST_LIMITS.maxComponentLength ||
    part === '.' || part === '..' ||
    part.includes('/') || part.includes('\\') ||
    /[\x00-\x1f\x7f-\x9f]/.test(part)
  if (bad) fail(`unsafe name in ${what}`)
}

function fail (why: string): never {
  throw new InvalidManifestError(`invalid manifest: ${why}`)
}

function printable (s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s).slice(1, -1)
}
