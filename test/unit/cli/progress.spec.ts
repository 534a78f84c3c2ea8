import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { ProgressBar, barFields, formatEta } from '../../../src/cli/progress.js'

const MiB = 1024 * 1024

/** A stream cli-progress takes for a terminal; what it was sent, without escape codes. */
function fakeTerminal (): { stream: NodeJS.WriteStream, text: () => string } {
  let written = ''
  const sink = new Writable({ write (chunk: Buffer, _encoding, done) { written += chunk.toString(); done() } })
  const stream = Object.assign(sink, { isTTY: true, columns: 200 }) as unknown as NodeJS.WriteStream
  // eslint-disable-next-line no-control-regex
  return { stream, text: () => written.replace(/\x1b(\[[0-9;?]*[a-zA-Z]|[78])/g, '') }
}

describe('cli/progress', () => {
  it('before the first byte: no rate and no ETA yet, never NaN or Infinity', () => {
    const fields = barFields({ name: 'film.mkv', size: 10 * MiB, bytesHave: 0, peers: 0, rate: undefined })
    assert.deepEqual(fields, { name: 'film.mkv', have: '0 B', size: '10.0 MiB', rate: '--/s', timeLeft: '--', peers: '0 peers' })
    assert.equal(barFields({ name: 'x', size: 10, bytesHave: 5, peers: 1, rate: 0 }).timeLeft, '--')
  })

  it('a rate gives an ETA; "1 peer", "2 peers"', () => {
    const fields = barFields({ name: 'film.mkv', size: 10 * MiB, bytesHave: 4 * MiB, peers: 1, rate: MiB })
    assert.equal(fields.rate, '1.00 MiB/s')
    assert.equal(fields.timeLeft, '6s')
    assert.equal(fields.peers, '1 peer')
    assert.equal(barFields({ name: 'x', size: 10, bytesHave: 5, peers: 2, rate: 1 }).peers, '2 peers')
    assert.equal(barFields({ name: 'x', size: 10, bytesHave: 10, peers: 2, rate: undefined }).timeLeft, '0s')
  })

  it('formatEta: seconds, minutes, hours', () => {
    assert.equal(formatEta(0.2), '1s')
    assert.equal(formatEta(59), '59s')
    assert.equal(formatEta(245), '4m05s')
    assert.equal(formatEta(7380), '2h03m')
    assert.equal(formatEta(1e9), '99h+')
  })

  it('a bar re-attached to a running download shows the content\'s name, and no rate from bytes it did not see come', () => {
    const { stream, text } = fakeTerminal()
    const bar = new ProgressBar(stream)
    bar.update({ type: 'shoal:get:manifest', contentId: 'bafy', name: 'film.mkv', size: 10 * MiB, pieceCount: 40 })
    bar.update({ type: 'shoal:get:progress', contentId: 'bafy', piecesHave: 36, pieceCount: 40, bytesHave: 9 * MiB, size: 10 * MiB, peers: 1 })
    bar.stop()
    const shown = text()
    assert.match(shown, /^film\.mkv \[/m)
    assert.match(shown, /9\.00 MiB of 10\.0 MiB \| --\/s \| ETA -- \| 1 peer/)
    assert.doesNotMatch(shown, /NaN|Infinity|NFs|undefined/)
  })
})
