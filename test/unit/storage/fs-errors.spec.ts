import assert from 'node:assert/strict'
import { StorageError } from '../../../src/errors.js'
import { storageErrorOf } from '../../../src/storage/fs-errors.js'

function fsError (code: string, message = `${code}: something`): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code })
}

describe('storage/fs-errors', () => {
  it('a full disk or quota is DiskFullError naming the file, with the way out', () => {
    for (const code of ['ENOSPC', 'EDQUOT']) {
      const err = storageErrorOf(fsError(code), '/data/a.bin')
      assert.equal(err.name, 'DiskFullError')
      assert.match(err.message, /^\/data\/a\.bin: the disk is full .*run the same get again to resume$/)
      assert.equal((err.cause as NodeJS.ErrnoException).code, code)
    }
  })

  it('a link (ELOOP) and a file that appeared (EEXIST) are PathError', () => {
    assert.equal(storageErrorOf(fsError('ELOOP'), '/x').name, 'PathError')
    assert.match(storageErrorOf(fsError('ELOOP'), '/x').message, /^\/x is a symbolic link/)
    assert.equal(storageErrorOf(fsError('EEXIST'), '/x').name, 'PathError')
    assert.match(storageErrorOf(fsError('EEXIST'), '/x').message, /^\/x appeared while the download was starting/)
  })

  it('anything else is StorageError saying what happened in words', () => {
    assert.equal(storageErrorOf(fsError('ENOENT'), '/x').message, '/x: the file is missing')
    assert.equal(storageErrorOf(fsError('EACCES'), '/x').message, '/x: permission denied')
    const other = storageErrorOf(fsError('EIO', 'i/o error'), '/x')
    assert.equal(other.name, 'StorageError')
    assert.equal(other.message, '/x: i/o error')
  })

  it("Shoal's own errors pass through unchanged", () => {
    const own = new StorageError('already named')
    assert.equal(storageErrorOf(own, '/x'), own)
  })
})
