import { DiskFullError, PathError, ShoalError, StorageError } from '../errors.js'

/**
 * An fs error of the file at `path` as a named error that says what happened: a full disk
 * (with the way out), a link or a file that appeared where none may be, or a StorageError.
 * Shoal's own errors pass through as they are.
 */
export function storageErrorOf (err: unknown, path: string): Error {
  if (err instanceof ShoalError) return err
  const code = (err as NodeJS.ErrnoException).code
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new DiskFullError(`${path}: the disk is full (no space left on device); free some space and run the same get again to resume`, { cause: err })
  }
  if (code === 'ELOOP') return new PathError(`${path} is a symbolic link: nothing is written through it`, { cause: err })
  if (code === 'EEXIST') return new PathError(`${path} appeared while the download was starting: it is not overwritten`, { cause: err })
  const what = code === 'ENOENT' ? 'the file is missing' : code === 'EACCES' ? 'permission denied' : (err as Error).message
  return new StorageError(`${path}: ${what}`, { cause: err })
}
