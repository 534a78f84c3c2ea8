import assert from 'node:assert/strict'
import { closestName, editDistance } from '../../../src/utils/did-you-mean.js'

describe('utils/did-you-mean', () => {
  it('editDistance counts inserts, deletes, substitutions and swaps of neighbours', () => {
    assert.equal(editDistance('', ''), 0)
    assert.equal(editDistance('abc', ''), 3)
    assert.equal(editDistance('timout', 'timeout'), 1)
    assert.equal(editDistance('stauts', 'status'), 1)
    assert.equal(editDistance('stauts', 'start'), 2)
    assert.equal(editDistance('kitten', 'sitting'), 3)
  })

  it('a name in another case is the suggestion, whatever else is near', () => {
    assert.equal(closestName('uploadrate', ['uploadSlots', 'uploadRate', 'downloadRate']), 'uploadRate')
    assert.equal(closestName('DATADIR', ['dataDir', 'api']), 'dataDir')
  })

  it('a near typo is suggested: the nearest name', () => {
    assert.equal(closestName('timout', ['timeout', 'output', 'force']), 'timeout')
    assert.equal(closestName('stauts', ['start', 'status', 'stop']), 'status')
    assert.equal(closestName('uplodRate', ['uploadRate', 'uploadSlots']), 'uploadRate')
  })

  it('nothing is suggested for an unrelated word', () => {
    assert.equal(closestName('colour', ['dataDir', 'listen', 'api']), undefined)
    assert.equal(closestName('foo', ['config', 'output', 'timeout']), undefined)
    assert.equal(closestName('x', ['json']), undefined)
  })
})
