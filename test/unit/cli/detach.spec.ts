import assert from 'node:assert/strict'
import { whatBecameOf } from '../../../src/cli/commands/cancel.js'
import { detachMessage, quoted } from '../../../src/cli/detach.js'

const CID = 'bafkreieil77kzokc6qbrw5pypij6gexlpuihnyxeuyqk476pbrqixoln5q'

describe('cli/detach', () => {
  it('mid-download: what goes on, how to re-attach, how to cancel (repeating --config)', () => {
    assert.deepEqual(detachMessage({ contentId: CID, path: '/home/me/movie.mkv', downloading: true, configArg: ' --config my.json' }), [
      `detached: the node goes on downloading ${CID} into /home/me/movie.mkv`,
      `re-attach: shoal get ${CID} --output /home/me/movie.mkv --config my.json`,
      `cancel:    shoal cancel ${CID} --config my.json`
    ])
  })

  it('before the manifest came: the node stops looking, and the same get retries', () => {
    assert.deepEqual(detachMessage({ contentId: CID, downloading: false, configArg: '' }), [
      `stopped: no peer had sent the manifest of ${CID} yet; the node stops looking for it`,
      `retry:     shoal get ${CID}`
    ])
  })

  it('paths are quoted as a shell takes them back', () => {
    assert.equal(quoted('/plain/path-1.bin'), '/plain/path-1.bin')
    assert.equal(quoted('/a b/it\'s'), `'/a b/it'\\''s'`)
  })
})

describe('cli/commands/cancel', () => {
  it('says what became of the files in one line', () => {
    const base = { contentId: CID, path: '/out/x', origin: 'download' as const, complete: false, removed: false }
    assert.equal(whatBecameOf(base), 'partial output kept at /out/x')
    assert.equal(whatBecameOf({ ...base, complete: true }), 'output kept at /out/x')
    assert.equal(whatBecameOf({ ...base, removed: true }), 'removed /out/x')
    assert.equal(whatBecameOf({ ...base, origin: 'seed', complete: true }), 'stopped seeding; the added /out/x is never removed')
  })
})
