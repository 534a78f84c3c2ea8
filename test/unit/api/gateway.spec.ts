import assert from 'node:assert/strict'
import { parseContentPath } from '../../../src/api/gateway.js'
import { contentType, entityTag, findEntry, listingHtml } from '../../../src/api/gateway-paths.js'
import { answerRange, notModified } from '../../../src/api/gateway-response.js'
import type { Manifest } from '../../../src/core/manifest.js'

const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'

function folder (files: Array<[string, number]>): Manifest {
  return { version: 1, name: 'album', directory: true, pieceSize: 16384, files: files.map(([path, size]) => ({ path, size })), pieceHashes: new Uint8Array() }
}

const req = (headers: Record<string, string>): { headers: Record<string, string> } => ({ headers })

describe('api/gateway', () => {
  describe('answerRange', () => {
    it('reads single, open and suffix ranges; a suffix longer than the file is all of it', () => {
      assert.deepEqual(answerRange(req({ range: 'bytes=0-0' }), 10, '"e"'), { status: 206, start: 0, end: 0 })
      assert.deepEqual(answerRange(req({ range: 'bytes=4-' }), 10, '"e"'), { status: 206, start: 4, end: 9 })
      assert.deepEqual(answerRange(req({ range: 'bytes=-3' }), 10, '"e"'), { status: 206, start: 7, end: 9 })
      assert.deepEqual(answerRange(req({ range: 'bytes=-30' }), 10, '"e"'), { status: 206, start: 0, end: 9 })
      assert.deepEqual(answerRange(req({ range: 'bytes=5-50' }), 10, '"e"'), { status: 206, start: 5, end: 9 })
    })

    it('is 416 past the end or on an empty file, and the whole file for what it may ignore', () => {
      assert.deepEqual(answerRange(req({ range: 'bytes=10-' }), 10, '"e"'), { status: 416 })
      assert.deepEqual(answerRange(req({ range: 'bytes=0-' }), 0, '"e"'), { status: 416 })
      assert.deepEqual(answerRange(req({}), 10, '"e"'), { status: 200 })
      assert.deepEqual(answerRange(req({ range: 'bytes=0-1,4-5' }), 10, '"e"'), { status: 200 })
      assert.deepEqual(answerRange(req({ range: 'garbage' }), 10, '"e"'), { status: 200 })
      assert.deepEqual(answerRange(req({ range: 'bytes=0-1', 'if-range': '"old"' }), 10, '"e"'), { status: 200 })
      assert.deepEqual(answerRange(req({ range: 'bytes=0-1', 'if-range': '"e"' }), 10, '"e"'), { status: 206, start: 0, end: 1 })
    })
  })

  it('If-None-Match: the tag, one of a list, a weak form of it, or *', () => {
    assert.ok(notModified(req({ 'if-none-match': '"e"' }), '"e"'))
    assert.ok(notModified(req({ 'if-none-match': '"x", W/"e"' }), '"e"'))
    assert.ok(notModified(req({ 'if-none-match': '*' }), '"e"'))
    assert.ok(!notModified(req({ 'if-none-match': '"x"' }), '"e"'))
    assert.ok(!notModified(req({}), '"e"'))
  })

  it('finds a file of a folder with its offset, a folder as its entries, nothing else', () => {
    const manifest = folder([['a.txt', 5], ['sub/b.webm', 7], ['sub/deep/c', 3], ['z', 1]])
    assert.deepEqual(findEntry(manifest, 'sub/b.webm'), { file: { path: 'sub/b.webm', offset: 5, size: 7 } })
    assert.deepEqual(findEntry(manifest, 'z'), { file: { path: 'z', offset: 15, size: 1 } })
    assert.deepEqual(findEntry(manifest, 'sub'), { folder: 'sub', entries: [{ name: 'deep', folder: true }, { name: 'b.webm', folder: false }] })
    assert.equal(findEntry(manifest, 'su'), undefined)
    assert.equal(findEntry(manifest, 'sub/b.webm/x'), undefined)
    const single: Manifest = { ...manifest, directory: false, name: 'one.mp4', files: [{ path: 'one.mp4', size: 9 }] }
    assert.deepEqual(findEntry(single, ''), { file: { path: '', offset: 0, size: 9 } })
    assert.equal(findEntry(single, 'one.mp4'), undefined)
  })

  it('types by extension; markup as plain text; strong tags that differ by path', () => {
    assert.equal(contentType('a.WEBM'), 'video/webm')
    assert.equal(contentType('a.mp4'), 'video/mp4')
    assert.equal(contentType('page.html'), 'text/plain; charset=utf-8')
    assert.equal(contentType('noext'), 'application/octet-stream')
    assert.equal(entityTag(CID, ''), `"${CID}"`)
    assert.notEqual(entityTag(CID, 'a'), entityTag(CID, 'b'))
    assert.match(entityTag(CID, 'we"ird'), /^"[^"]+"$/)
  })

  it('a listing escapes names and links each entry by its encoded path', () => {
    const html = listingHtml(CID, 'sub dir', [{ name: '<script>x</script>.txt', folder: false }])
    assert.ok(!html.includes('<script>'))
    assert.ok(html.includes(`href="/content/${CID}/sub%20dir/%3Cscript%3Ex%3C%2Fscript%3E.txt"`))
  })

  it('parses /content/<cid>[/<path>] and refuses everything else', () => {
    assert.equal(parseContentPath(`/content/${CID}`).path, '')
    assert.equal(parseContentPath(`/content/${CID}/sub/b%20c.webm?x=1`).path, 'sub/b c.webm')
    assert.equal(parseContentPath(`/content/${CID}`).cid.toString(), CID)
    assert.throws(() => parseContentPath('/'), { status: 404 })
    assert.throws(() => parseContentPath('/content/nope'), { status: 400 })
    assert.throws(() => parseContentPath(`/content/${CID}/%E0%A4%A`), { status: 400 })
    assert.throws(() => parseContentPath(`/content/${CID}/${'a'.repeat(3000)}`), { status: 414 })
  })
})
