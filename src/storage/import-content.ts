import { createHash } from 'node:crypto'
import { constants } from 'node:fs'
import { lstat, open, readdir, stat } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { contentIdOf } from '../core/content-id.js'
import { MANIFEST_LIMITS, MANIFEST_VERSION, checkFileTree, encodeManifest } from '../core/manifest.js'
import { PathError } from '../errors.js'
import type { Manifest, ManifestFile } from '../core/manifest.js'
import type { CID } from 'multiformats/cid'
import type { Hash } from 'node:crypto'

export interface ImportedContent {
  contentId: CID
  manifest: Manifest
  manifestBytes: Uint8Array
  /** Absolute path of the content: the file, or the folder. */
  root: string
  /** Symbolic links inside the folder that were left out (relative paths), unless asked to follow them. */
  skippedLinks: string[]
}

/** How the automatic piece size is chosen (see choosePieceSize). */
export interface AutoPieceSize {
  readonly minAutoPieceSize: number
  readonly maxAutoPieceSize: number
  readonly targetPieceCount: number
}

/** How content is read and cut into pieces: the node's ADDING. */
export interface ImportSettings extends AutoPieceSize {
  /** Bytes read at a time while hashing. */
  readonly readBufferBytes: number
}

export interface ImportOptions {
  /** Bytes per piece; 0 or absent picks one from the content's size. */
  pieceSize?: number
  adding: ImportSettings
  /**
   * Follow symbolic links inside a folder to the files they name. Off by default: a link in
   * a tree to `~/.ssh/id_ed25519` would publish the key. (A path given itself is followed.)
   */
  followSymlinks?: boolean
  signal?: AbortSignal
}

/**
 * Hash a file or a folder into a manifest, streaming: memory stays at one read buffer and
 * one piece hash whatever the content's size. Files are ordered by path so the same content
 * always gives the same manifest and content id.
 */
export async function importContent (path: string, options: ImportOptions): Promise<ImportedContent> {
  const root = resolve(path)
  const info = await stat(root).catch((err: NodeJS.ErrnoException) => {
    throw new PathError(err.code === 'ENOENT' ? `${path}: no such file or folder` : `${path}: ${err.message}`)
  })
  if (!info.isFile() && !info.isDirectory()) throw new PathError(`${path}: not a regular file or folder`)
  const name = basename(root)
  if (name === '' || name === '.' || name === '..') throw new PathError(`${path}: cannot name the content after this path`)
  const directory = info.isDirectory()
  const { files, skippedLinks } = directory ? await listFiles(root, options.followSymlinks === true) : { files: [{ path: name, size: info.size }], skippedLinks: [] }
  if (directory && files.length === 0) throw new PathError(`${path}: the folder holds no files${skippedLinks.length > 0 ? ' (symbolic links are skipped)' : ''}`)
  // before hours of hashing: names a manifest may not hold (e.g. two that are one file on macOS)
  if (directory) checkNames(path, files)
  const total = files.reduce((sum, f) => sum + f.size, 0)
  const pieceSize = options.pieceSize !== undefined && options.pieceSize > 0 ? options.pieceSize : choosePieceSize(total, options.adding)
  const absolute = (f: ManifestFile): string => directory ? join(root, ...f.path.split('/')) : root
  const buffer = Buffer.allocUnsafe(options.adding.readBufferBytes)
  // a file inside the folder that became a link since it was listed is not followed
  const noFollow = directory && options.followSymlinks !== true
  const pieceHashes = await hashPieces(files.map(f => ({ path: absolute(f), size: f.size, noFollow })), total, pieceSize, buffer, options.signal)
  const manifest: Manifest = { version: MANIFEST_VERSION, name, directory, pieceSize, files, pieceHashes }
  const manifestBytes = encodeManifest(manifest)
  return { contentId: contentIdOf(manifestBytes), manifest, manifestBytes, root, skippedLinks }
}

function checkNames (path: string, files: ManifestFile[]): void {
  if (files.length > MANIFEST_LIMITS.maxFiles) throw new PathError(`${path}: ${files.length} files, more than the ${MANIFEST_LIMITS.maxFiles} a manifest may hold`)
  try {
    checkFileTree(files)
  } catch (err) {
    throw new PathError(`${path}: cannot be added: ${(err as Error).message.replace(/^invalid manifest: /, '')}`)
  }
}

/** The smallest power of two within the automatic range that keeps the piece count at the target. */
export function choosePieceSize (totalSize: number, auto: AutoPieceSize): number {
  const { minAutoPieceSize, maxAutoPieceSize, targetPieceCount } = auto
  let size = minAutoPieceSize
  while (size < maxAutoPieceSize && Math.ceil(totalSize / size) > targetPieceCount) size *= 2
  return size
}

/**
 * Every regular file under `root`, as sorted relative '/' paths. Symbolic links are skipped
 * (and listed), or with `follow`, followed to files only.
 */
async function listFiles (root: string, follow: boolean): Promise<{ files: ManifestFile[], skippedLinks: string[] }> {
  const files: ManifestFile[] = []
  const skippedLinks: string[] = []
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir)
    for (const entry of entries) {
      const full = join(dir, entry)
      const rel = prefix === '' ? entry : `${prefix}/${entry}`
      let info = await lstat(full)
      if (info.isSymbolicLink()) {
        if (!follow) {
          skippedLinks.push(rel)
          continue
        }
        info = await stat(full).catch(() => { throw new PathError(`${full}: broken symbolic link`) })
        if (!info.isFile()) throw new PathError(`${full}: a symbolic link to a folder is not supported`)
      }
      if (info.isDirectory()) await walk(full, rel)
      else if (info.isFile()) files.push({ path: rel, size: info.size })
      else throw new PathError(`${full}: not a regular file`)
    }
  }
  await walk(root, '')
  const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b))
  return { files: files.sort((a, b) => byBytes(a.path, b.path)), skippedLinks: skippedLinks.sort(byBytes) }
}

/**
 * SHA-256 of each piece over the files read in order as one byte sequence, all through one
 * buffer: a stream's fresh chunk per read left hundreds of MiB of garbage behind (and in the
 * process's RSS) after adding a large file.
 */
async function hashPieces (files: HashedFile[], total: number, pieceSize: number, buffer: Buffer, signal?: AbortSignal): Promise<Uint8Array> {
  const count = Math.ceil(total / pieceSize)
  const hashes = new Uint8Array(count * 32)
  let piece = 0
  let inPiece = 0
  let hash: Hash = createHash('sha256')
  const finishPiece = (): void => {
    hashes.set(hash.digest(), piece * 32)
    piece++
    inPiece = 0
    hash = createHash('sha256')
  }
  for (const file of files) {
    await forEachChunk(file, buffer, signal, (chunk) => {
      let offset = 0
      while (offset < chunk.byteLength) {
        const take = Math.min(pieceSize - inPiece, chunk.byteLength - offset)
        hash.update(chunk.subarray(offset, offset + take))
        inPiece += take
        offset += take
        if (inPiece === pieceSize) finishPiece()
      }
    })
  }
  if (inPiece > 0) finishPiece()
  return hashes
}

interface HashedFile {
  path: string
  size: number
  noFollow: boolean
}

/** Read `file` through `buffer`, in order, checking it keeps the size it had when listed. */
async function forEachChunk (file: HashedFile, buffer: Buffer, signal: AbortSignal | undefined, use: (chunk: Buffer) => void): Promise<void> {
  const handle = await open(file.path, constants.O_RDONLY | (file.noFollow ? constants.O_NOFOLLOW : 0)).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'ELOOP' ? new PathError(`${file.path} became a symbolic link while it was being added`) : err
  })
  try {
    let position = 0
    while (true) {
      signal?.throwIfAborted()
      const { bytesRead } = await handle.read(buffer, 0, buffer.byteLength, position)
      if (bytesRead === 0) break
      position += bytesRead
      if (position > file.size) throw new PathError(`${file.path} grew while it was being added`)
      use(buffer.subarray(0, bytesRead))
    }
    if (position !== file.size) throw new PathError(`${file.path} changed size while it was being added`)
  } finally {
    await handle.close()
  }
}
