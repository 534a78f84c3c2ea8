import assert from 'node:assert/strict'
import { DownloadAnnouncement } from '../../../src/swarm/download-announcement.js'
import { until } from '../fixtures.js'

const pause = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

describe('swarm/download-announcement', () => {
  it('nothing until its first piece; then within partial to 1.5x partial, once', async () => {
    const at: number[] = []
    const start = Date.now()
    const a = new DownloadAnnouncement(() => at.push(Date.now() - start), { partial: 200, complete: 10_000 })
    await pause(100)
    assert.deepEqual(at, [], 'no piece, nothing to announce')
    a.firstPiece()
    a.firstPiece()
    await until(() => at.length > 0, 2000, 'the announcement')
    // not before the delay; the upper bound leaves a busy machine's timers room
    assert.ok(at[0] >= 290 && at[0] < 1500, `announced ${at[0]} ms in (first piece at ~100 ms, partial 200 ms)`)
    a.complete()
    await pause(100)
    assert.equal(at.length, 1, 'announced once')
  })

  it('completion brings a waiting announcement forward, within the complete delay, once', async () => {
    const at: number[] = []
    const start = Date.now()
    const a = new DownloadAnnouncement(() => at.push(Date.now() - start), { partial: 60_000, complete: 200 })
    a.firstPiece()
    a.complete()
    await until(() => at.length > 0, 2000, 'the announcement')
    assert.ok(at[0] < 1500, `announced ${at[0]} ms in, not after the partial delay's 60 s`)
    await pause(300)
    assert.equal(at.length, 1, 'announced once')
  })

  it('completion never puts off an announcement due sooner', async () => {
    const at: number[] = []
    const a = new DownloadAnnouncement(() => at.push(Date.now()), { partial: 50, complete: 60_000 })
    a.firstPiece()
    a.complete()
    await until(() => at.length > 0, 2000, 'the partial announcement, still due at its time')
  })
})
