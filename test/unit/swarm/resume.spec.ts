/**
 * The have record and its checkpoints: what a restart trusts, and the order that makes it
 * safe (data durable before a durable record claims it, pieces a quick one claims re-verified;
 * the record replaced whole).
 */
import assert from 'node:assert/strict'
import { readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { defaultLogger } from '@libp2p/logger'
import { Bitfield } from '../../../src/core/bitfield.js'
import { HaveCheckpoint } from '../../../src/swarm/checkpoint.js'
import { HaveFile, decodeHave, encodeHave } from '../../../src/swarm/have-file.js'
import { restoredPieces } from '../../../src/swarm/resume.js'
import { FsPieceStore } from '../../../src/storage/fs-store.js'
import { tempDir } from '../../helpers/temp.js'
import { makeContent, until } from '../fixtures.js'
import { MemoryHaveRecord } from './fakes.js'
import type { HaveRecord, SwarmRecord } from '../../../src/swarm/records.js'

const log = defaultLogger().forComponent('shoal:test:resume')
const bits = (count: number, set: number[]): Bitfield => {
  const field = new Bitfield(count)
  for (const i of set) field.set(i)
  return field
}

describe('swarm/have record and resume', () => {
  let dir: { path: string, cleanup: () => Promise<void> }
  beforeEach(async () => { dir = await tempDir() })
  afterEach(async () => { await dir.cleanup() })

  describe('the record file', () => {
    it('round-trips a bitfield, and is replaced whole (no temporary file left)', async () => {
      const file = new HaveFile(dir.path, 'cid')
      assert.equal(await file.load(10), undefined, 'no record yet')
      await file.save(bits(10, [0, 3, 9]))
      await file.save(bits(10, [0, 3, 4, 9]))
      assert.deepEqual([...((await file.load(10))?.have.toBytes() ?? [])], [...bits(10, [0, 3, 4, 9]).toBytes()])
      assert.deepEqual(await readdir(join(dir.path, 'swarms')), ['cid.have'])
    })

    it('a quick save after its folder was removed makes the folder again, and keeps its mode', async () => {
      const file = new HaveFile(dir.path, 'cid')
      await file.save(bits(10, [0]), bits(10, [0]))
      await rm(join(dir.path, 'swarms'), { recursive: true })
      await file.save(bits(10, [0, 1]), bits(10, [1]))
      assert.equal((await file.load(10))?.have.count, 2)
      assert.equal((await stat(join(dir.path, 'swarms'))).mode & 0o777, 0o700)
      assert.equal((await stat(file.path)).mode & 0o777, 0o600)
    })

    it('a torn, damaged or foreign record reads as no record', () => {
      const good = encodeHave(bits(20, [1, 2, 19]))
      assert.equal(decodeHave(good, 20)?.have.count, 3)
      assert.equal(decodeHave(good.subarray(0, good.byteLength - 1), 20), undefined, 'torn')
      const flipped = Buffer.from(good)
      flipped[13] ^= 1
      assert.equal(decodeHave(flipped, 20), undefined, 'a bit flipped')
      assert.equal(decodeHave(good, 21), undefined, 'another piece count')
      assert.equal(decodeHave(Buffer.alloc(good.byteLength), 20), undefined, 'zeros')
    })

    it('keeps which recorded pieces were not yet durable (V2), and still reads a V1 record', async () => {
      const file = new HaveFile(dir.path, 'cid')
      await file.save(bits(10, [0, 3, 4, 9]), bits(10, [4, 9]))
      const recorded = await file.load(10)
      assert.deepEqual([...(recorded?.have.toBytes() ?? [])], [...bits(10, [0, 3, 4, 9]).toBytes()])
      assert.deepEqual([...(recorded?.unsynced.toBytes() ?? [])], [...bits(10, [4, 9]).toBytes()])
      // an unsynced bit for a piece not claimed means nothing
      assert.equal(decodeHave(encodeHave(bits(10, [1]), bits(10, [1, 2])), 10)?.unsynced.count, 1)
      // V1: magic, count, bitfield, CRC-32
      const v1 = Buffer.alloc(8 + 4 + 2 + 4)
      v1.write('SHOALHV1', 0, 'latin1')
      v1.writeUInt32BE(10, 8)
      v1.set(bits(10, [2, 5]).toBytes(), 12)
      v1.writeUInt32BE(crc32(v1.subarray(0, 14)), 14)
      const old = decodeHave(v1, 10)
      assert.deepEqual([old?.have.count, old?.unsynced.count], [2, 0])
    })
  })

  describe('checkpoints', () => {
    it('sync the data before the record claims it, and batch pieces', async () => {
      const have = new Bitfield(100)
      const file = new HaveFile(dir.path, 'cid')
      const events: string[] = []
      const original = file.save.bind(file)
      file.save = async (field: Bitfield) => { events.push(`save ${field.count}`); await original(field) }
      const checkpoint = new HaveCheckpoint({ file, have, sync: async () => { events.push(`sync ${have.count}`) }, interval: 50, maxPending: 1000, durableInterval: 0, durablePieces: 1000, log })
      for (let i = 0; i < 10; i++) { have.set(i); checkpoint.stored() }
      await until(() => events.length === 2, 2000, 'a checkpoint')
      assert.deepEqual(events, ['sync 10', 'save 10'], 'one batch: the data synced, then the record')
      have.set(10)
      checkpoint.stored()
      await checkpoint.close()
      assert.deepEqual(events.slice(2), ['sync 11', 'save 11'], 'close saves what is pending')
      assert.equal((await file.load(100))?.have.count, 11)
    })

    it('saves durably first, then quickly (no sync, the new pieces marked unsynced) until a durable save is due by time or by count', async () => {
      const have = new Bitfield(100)
      const file = new MemoryHaveRecord()
      let now = 0
      let syncs = 0
      const checkpoint = new HaveCheckpoint({ file, have, sync: async () => { syncs++ }, interval: 5, maxPending: 1000, durableInterval: 1000, durablePieces: 20, now: () => now, log })
      have.set(0)
      checkpoint.stored()
      await until(() => file.saves.length === 1, 2000, 'the first save')
      assert.deepEqual([file.saves[0], syncs], [{ count: 1, quick: false }, 1], 'the first save is durable')
      for (let i = 1; i < 6; i++) { have.set(i); checkpoint.stored() }
      await until(() => file.saves.length === 2, 2000, 'a quick save')
      assert.deepEqual([file.saves[1], syncs, file.unsynced?.count], [{ count: 6, quick: true }, 1, 5], 'no sync; the five new ones claimed as not durable')
      now = 1000
      have.set(6)
      checkpoint.stored()
      await until(() => file.saves.length === 3, 2000, 'a durable save')
      assert.deepEqual([file.saves[2], syncs], [{ count: 7, quick: false }, 2], 'durable once durableInterval passed: synced first')
      for (let i = 7; i < 30; i++) { have.set(i); checkpoint.stored() }
      await until(() => file.saves.some(save => save.count === 30), 2000, 'the last pieces saved')
      assert.equal(syncs, 3, 'durable again once 20 pieces waited, without the clock moving')
      have.set(30)
      checkpoint.stored()
      await until(() => file.saves.some(save => save.count === 31), 2000, 'a quick save')
      assert.equal(file.saves.at(-1)?.quick, true)
      await checkpoint.close()
      assert.deepEqual([file.saves.at(-1), syncs], [{ count: 31, quick: false }, 4], 'close leaves a durable record, even with nothing pending')
    })

    it('a piece stored while a save runs is left for the next one, never claimed early', async () => {
      const have = new Bitfield(10)
      const file = new HaveFile(dir.path, 'cid')
      const saved: number[] = []
      const original = file.save.bind(file)
      file.save = async (field: Bitfield) => { saved.push(field.count); await original(field) }
      let release!: () => void
      const syncing = new Promise<void>(resolve => { release = resolve })
      const checkpoint = new HaveCheckpoint({ file, have, sync: async () => { await syncing }, interval: 10, maxPending: 1, durableInterval: 0, durablePieces: 1000, log })
      have.set(0)
      checkpoint.stored()
      have.set(1) // stored after the first snapshot: the sync under way may not cover it
      checkpoint.stored()
      release()
      await until(() => saved.length >= 1, 2000, 'the first save')
      await checkpoint.close()
      assert.equal(saved[0], 1, 'the first record claims only the piece synced before it')
      assert.equal((await file.load(10))?.have.count, 2)
    })

    it('a failing save leaves the last record, and the next save records the pieces', async () => {
      const have = new Bitfield(10)
      const file = new HaveFile(dir.path, 'cid')
      await file.save(have)
      let fail = true
      const checkpoint = new HaveCheckpoint({ file, have, sync: async () => { if (fail) throw new Error('ENOSPC') }, interval: 10, maxPending: 100, durableInterval: 0, durablePieces: 1000, log })
      have.set(5)
      checkpoint.stored()
      await new Promise(resolve => setTimeout(resolve, 50))
      assert.equal((await file.load(10))?.have.count, 0)
      fail = false
      await checkpoint.close()
      assert.equal((await file.load(10))?.have.count, 1)
    })

    it('stop (a completed download: its records supersede this one) waits for a save under way, then makes none', async () => {
      const have = new Bitfield(10)
      const file = new HaveFile(dir.path, 'cid')
      const events: string[] = []
      let release!: () => void
      const syncing = new Promise<void>(resolve => { release = resolve })
      const checkpoint = new HaveCheckpoint({ file, have, sync: async () => { events.push('sync'); await syncing }, interval: 10, maxPending: 1, durableInterval: 0, durablePieces: 1000, log })
      have.set(0)
      checkpoint.stored()
      have.set(1)
      checkpoint.stored() // pending while the first save runs
      const stopped = checkpoint.stop().then(() => { events.push('stopped') })
      release()
      await stopped
      assert.deepEqual(events, ['sync', 'stopped'], 'the save under way finished first; no final save')
      assert.equal((await file.load(10))?.have.count, 1)
      checkpoint.stored()
      await new Promise(resolve => setTimeout(resolve, 30))
      assert.deepEqual(events, ['sync', 'stopped'], 'nothing saved after stop')
    })
  })

  describe('restoredPieces', () => {
    const content = makeContent([{ path: 'data.bin', size: 5 * 16 * 1024 }])
    const record = (root: string, extra: Partial<SwarmRecord> = {}): SwarmRecord => ({ contentId: 'cid', path: root, origin: 'download', ...extra })
    const restore = async (rec: SwarmRecord, file: HaveRecord): ReturnType<typeof restoredPieces> => {
      const store = new FsPieceStore({ root: rec.path, manifest: content.manifest, mode: 'read' })
      try {
        return await restoredPieces(store, rec, content.manifest, file, log, new AbortController().signal)
      } finally {
        await store.close()
      }
    }

    it('a download with a record trusts it without reading the pieces', async () => {
      const root = join(dir.path, 'data.bin')
      // piece 0 right, piece 1 garbage, rest zeros: only a rehash could tell
      const bytes = Buffer.alloc(content.data.byteLength)
      content.data.copy(bytes, 0, 0, 16 * 1024)
      await writeFile(root, bytes)
      const file = new HaveFile(dir.path, 'cid')
      await file.save(bits(5, [0, 1]))
      const trusted = await restore(record(root), file)
      assert.equal(trusted.from, 'have-record')
      assert.deepEqual([0, 1, 2, 3, 4].filter(i => trusted.have.has(i)), [0, 1])

      await file.remove()
      const rehashed = await restore(record(root), file)
      assert.equal(rehashed.from, 'rehash')
      assert.deepEqual([0, 1, 2, 3, 4].filter(i => rehashed.have.has(i)), [0])
    })

    it('a record\'s pieces not yet durable are read and kept only if they verify; the durable ones are trusted', async () => {
      const root = join(dir.path, 'data.bin')
      // pieces 0 and 2 right, piece 1 garbage (trusted: durable), piece 3 garbage (unsynced: dropped)
      const bytes = Buffer.from(content.data)
      bytes.fill(7, 16 * 1024, 2 * 16 * 1024)
      bytes.fill(7, 3 * 16 * 1024, 4 * 16 * 1024)
      await writeFile(root, bytes)
      const file = new HaveFile(dir.path, 'cid')
      await file.save(bits(5, [0, 1, 2, 3]), bits(5, [2, 3]))
      const restored = await restore(record(root), file)
      assert.equal(restored.from, 'have-record')
      assert.deepEqual([0, 1, 2, 3, 4].filter(i => restored.have.has(i)), [0, 1, 2])
    })

    it('a download whose files are made as pieces land: a short file that holds every recorded piece trusts the record', async () => {
      const root = join(dir.path, 'data.bin')
      await writeFile(root, content.data.subarray(0, 2 * 16 * 1024))
      const file = new HaveFile(dir.path, 'cid')
      await file.save(bits(5, [0, 1]))
      const restored = await restore(record(root), file)
      assert.equal(restored.from, 'have-record')
      assert.equal(restored.have.count, 2)
    })

    it('a file longer than the manifest is rehashed even with a record', async () => {
      const root = join(dir.path, 'data.bin')
      await writeFile(root, Buffer.concat([content.data, Buffer.alloc(10)]))
      const file = new HaveFile(dir.path, 'cid')
      await file.save(bits(5, [0]))
      assert.equal((await restore(record(root), file)).from, 'rehash')
    })

    it('a record claiming pieces past the end of a file is rehashed', async () => {
      const root = join(dir.path, 'data.bin')
      await writeFile(root, content.data.subarray(0, 16 * 1024))
      const file = new HaveFile(dir.path, 'cid')
      await file.save(bits(5, [0, 1, 2, 3, 4]))
      const restored = await restore(record(root), file)
      assert.equal(restored.from, 'rehash')
      assert.equal(restored.have.count, 1)
    })

    it('a seeder whose file changed size or time is rehashed, and what no longer matches is gone', async () => {
      const root = join(dir.path, 'data.bin')
      await writeFile(root, content.data)
      const file = new HaveFile(dir.path, 'cid')
      const seed = record(root, { origin: 'seed', files: [[content.data.byteLength, 1]] })
      const changed = Buffer.from(content.data)
      changed[3 * 16 * 1024] ^= 0xff
      await writeFile(root, changed)
      const restored = await restore(seed, file)
      assert.equal(restored.from, 'rehash')
      assert.deepEqual([0, 1, 2, 3, 4].filter(i => !restored.have.has(i)), [3])
      assert.ok((await readFile(root)).equals(changed), 'restoring never writes')
    })

    it('a partial seed with unchanged files trusts its have record; without one, or once the files change, it rehashes', async () => {
      const root = join(dir.path, 'data.bin')
      const changed = Buffer.from(content.data)
      changed[3 * 16 * 1024] ^= 0xff
      await writeFile(root, changed)
      const { mtimeMs } = await stat(root)
      const file = new HaveFile(dir.path, 'cid')
      // the record claims piece 1 is missing too: only trusting it, not a rehash, says so
      await file.save(bits(5, [0, 2, 4]))
      const partial = record(root, { origin: 'seed', partial: true, files: [[changed.byteLength, Math.floor(mtimeMs)]] })
      const trusted = await restore(partial, file)
      assert.equal(trusted.from, 'have-record')
      assert.deepEqual([0, 1, 2, 3, 4].filter(i => trusted.have.has(i)), [0, 2, 4])

      await file.remove()
      const noRecord = await restore(partial, file)
      assert.equal(noRecord.from, 'rehash')
      assert.deepEqual([0, 1, 2, 3, 4].filter(i => !noRecord.have.has(i)), [3])

      await file.save(bits(5, [0, 2, 4]))
      await writeFile(root, content.data)
      const later = new Date(mtimeMs + 5000)
      await utimes(root, later, later)
      const back = await restore(partial, file)
      assert.equal(back.from, 'rehash')
      assert.equal(back.have.complete, true, 'the original bytes are back: every piece')
    })
  })
})
