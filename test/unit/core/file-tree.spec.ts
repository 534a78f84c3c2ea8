import assert from 'node:assert/strict'
import { checkFileTree, foldName } from '../../../src/core/file-tree.js'
import { isNamedError } from '../fixtures.js'
import { COLLIDING_NAMES } from '../../kit/hostile/manifests.js'

const files = (...paths: string[]): Array<{ path: string, size: number }> => paths.map(path => ({ path, size: 1 }))

describe('core/file-tree', () => {
  for (const { what, paths } of COLLIDING_NAMES) {
    it(`refuses names that are one file on macOS and Windows: ${what}`, () => {
      assert.throws(() => { checkFileTree(files(...paths)) }, isNamedError('InvalidManifestError', /one name on case-insensitive file systems/))
    })
  }

  it('names both spellings in the message', () => {
    assert.throws(() => { checkFileTree(files('dir/README', 'dir/readme')) }, /"dir\/README" and "dir\/readme"/)
  })

  it('accepts names that differ after folding', () => {
    checkFileTree(files('a/x', 'a/y', 'b', 'caf\u00e9', 'cafe', 'A1', 'a2'))
  })

  it('refuses a file listed twice, and a file that is also a folder, in either order', () => {
    assert.throws(() => { checkFileTree(files('a/b', 'a/b')) }, /"a\/b" appears twice/)
    assert.throws(() => { checkFileTree(files('a', 'a/b')) }, /"a" is both a file and a folder/)
    assert.throws(() => { checkFileTree(files('a/b', 'a')) }, /"a" is both a file and a folder/)
  })

  it('counts each folder once and refuses more than maxFolders', () => {
    checkFileTree(files('a/b/c', 'a/b/d', 'a/e'), { maxFolders: 2 })
    assert.throws(() => { checkFileTree(files('a/b/c', 'a/b/d', 'x/e'), { maxFolders: 2 }) }, /more than 2 folders/)
  })

  it('folds case and Unicode normalisation', () => {
    assert.equal(foldName('ReadMe'), 'readme')
    assert.equal(foldName('CAFE\u0301'), foldName('caf\u00e9'))
    assert.equal(foldName('\u212a'), 'k')
  })
})
