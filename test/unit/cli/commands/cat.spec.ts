import assert from 'node:assert/strict'
import { contentPath, rangeHeader } from '../../../../src/cli/commands/cat.js'

const CID = 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy'

describe('cli/commands/cat', () => {
  it('--range START-END, START- and -N become a bytes Range; anything else is a usage error', () => {
    assert.equal(rangeHeader('0-1023'), 'bytes=0-1023')
    assert.equal(rangeHeader('100-'), 'bytes=100-')
    assert.equal(rangeHeader('-10'), 'bytes=-10')
    for (const bad of ['', '-', 'a-b', '1-2-3', '5-2', '-0', ' 1-2']) {
      assert.throws(() => rangeHeader(bad), { name: 'UsageError' }, bad)
    }
  })

  it('CID/PATH becomes the gateway path, each part encoded; a bad content id is refused', () => {
    assert.equal(contentPath(CID), `/content/${CID}`)
    assert.equal(contentPath(`${CID}/disc 2/a#b.ogg`), `/content/${CID}/disc%202/a%23b.ogg`)
    assert.equal(contentPath(`${CID}/`), `/content/${CID}`)
    assert.throws(() => contentPath('nope/a'), { name: 'InvalidContentIdError' })
  })
})
