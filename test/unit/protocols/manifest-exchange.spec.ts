/**
 * Manifest exchange as the requester, against a peer on a stream pair that answers with
 * chosen bytes: what the fuzzer found stays fixed.
 */
import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { CHUNK_SIZE } from '../../../protocols/manifest-exchange/constants.js'
import { ManifestExchangeClass } from '../../../protocols/manifest-exchange/manifest-exchange.js'
import { Chunk, Response, Status } from '../../../protocols/manifest-exchange/pb/manifest-exchange.js'
import { contentIdOf } from '../../../src/core/content-id.js'
import { isNamedError, until } from '../fixtures.js'
import type { ManifestExchangeInit } from '../../../protocols/manifest-exchange/index.js'
import type { Stream } from '@libp2p/interface'

const MANIFEST = new TextEncoder().encode('manifest bytes')
const CID = contentIdOf(MANIFEST)
const MiB = 1024 * 1024
const PEER = peerIdFromString('12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo')
const frame = (bytes: Uint8Array): Uint8Array => Uint8Array.from([...varint.encode(bytes.byteLength), ...bytes])

/** A requester whose streams are the local ends of stream pairs; `remotes` holds the peer's ends. */
async function requester (init: Partial<ManifestExchangeInit> = {}): Promise<{ exchange: ManifestExchangeClass, remotes: Stream[] }> {
  const remotes: Stream[] = []
  const components = {
    registrar: { handle: async () => {}, unhandle: async () => {} },
    connectionManager: {
      getConnections: () => [],
      openStream: async () => {
        const [local, remote] = await streamPair()
        remotes.push(remote)
        return local
      }
    },
    logger: defaultLogger(),
    manifests: { manifestBytes: () => undefined }
  }
  return { exchange: new ManifestExchangeClass(components as never, { maxManifestSize: 1024, timeout: 3000, ...init }), remotes }
}

/** Fetch CID from a peer that answers `answer` (whatever we ask) and then closes. */
async function fetchFrom (answer: Uint8Array[]): Promise<Uint8Array> {
  const { exchange, remotes } = await requester()
  const fetched = exchange.fetch(PEER, CID)
  await until(() => remotes.length === 1)
  for (const part of answer) remotes[0].send(part)
  await remotes[0].close()
  return await fetched
}

const okResponse = (size: number): Uint8Array => frame(Response.encode({ status: Status.OK, size }))
const chunk = (data: Uint8Array): Uint8Array => frame(Chunk.encode({ data: data as Uint8Array<ArrayBuffer> }))

describe('protocols/manifest-exchange requester', () => {
  it('gets a manifest that hashes to the id', async () => {
    const bytes = await fetchFrom([frame(Response.encode({ status: Status.OK, size: MANIFEST.byteLength })), frame(Chunk.encode({ data: MANIFEST as Uint8Array<ArrayBuffer> }))])
    assert.deepEqual(bytes, MANIFEST)
  })

  it('a truncated Response frame is a ProtocolViolationError, not a RangeError (found by fuzzing)', async () => {
    await assert.rejects(fetchFrom([Uint8Array.of(4, 25, 8, 0, 16, 27)]), isNamedError('ProtocolViolationError', /undecodable/))
  })

  it('a size over the cap is refused before any allocation', async () => {
    await assert.rejects(fetchFrom([frame(Response.encode({ status: Status.OK, size: 1025 }))]), isNamedError('ProtocolViolationError', /over the limit/))
  })

  it('bytes that do not hash to the id are a ManifestMismatchError', async () => {
    const other = new TextEncoder().encode('manifest bytez')
    await assert.rejects(fetchFrom([frame(Response.encode({ status: Status.OK, size: other.byteLength })), frame(Chunk.encode({ data: other as Uint8Array<ArrayBuffer> }))]), isNamedError('ManifestMismatchError'))
  })
})

describe('protocols/manifest-exchange requester against a peer that holds it', () => {
  it('a peer that never answers fails with PeerStalledError after the first-byte deadline, not the whole exchange\'s', async () => {
    const { exchange } = await requester({ firstByteTimeout: 300, timeout: 20_000 })
    const started = Date.now()
    await assert.rejects(exchange.fetch(PEER, CID), isNamedError('PeerStalledError', /no answer .* within 300 ms/))
    const took = Date.now() - started
    assert.ok(took >= 250 && took < 3000, `gave up after ${took} ms`)
  })

  it('a peer that answers, then trickles under the minimum rate, fails with PeerStalledError within a chunk\'s time at that rate', async () => {
    // 1 MiB/s: a 256 KiB chunk is due within 250 ms of the Response, then each 10 bytes buy 10 µs
    const { exchange, remotes } = await requester({ maxManifestSize: 16 * MiB, minRate: 4 * CHUNK_SIZE, timeout: 20_000 })
    const started = Date.now()
    const fetched = exchange.fetch(PEER, CID)
    await until(() => remotes.length === 1)
    remotes[0].send(okResponse(16 * MiB))
    const timer = setInterval(() => { remotes[0].send(chunk(new Uint8Array(10))) }, 20)
    try {
      await assert.rejects(fetched, isNamedError('PeerStalledError', /slower than 1048576 B\/s/))
    } finally {
      clearInterval(timer)
    }
    const took = Date.now() - started
    assert.ok(took < 3000, `gave up after ${took} ms`)
  })

  it('an honest peer that sends above the minimum rate is not cut off, though it takes longer than the first chunk\'s deadline', async () => {
    // 512 KiB/s minimum (the first chunk due within 500 ms); the peer sends 64 KiB every 20 ms (about 3 MiB/s) for 2 MiB
    const manifest = new Uint8Array(2 * MiB).fill(7)
    const { exchange, remotes } = await requester({ maxManifestSize: 16 * MiB, minRate: 2 * CHUNK_SIZE })
    const fetched = exchange.fetch(PEER, contentIdOf(manifest))
    await until(() => remotes.length === 1)
    remotes[0].send(okResponse(manifest.byteLength))
    for (let offset = 0; offset < manifest.byteLength; offset += 64 * 1024) {
      await new Promise(resolve => setTimeout(resolve, 20))
      remotes[0].send(chunk(manifest.subarray(offset, offset + 64 * 1024)))
    }
    await remotes[0].close()
    assert.deepEqual(await fetched, manifest)
  })

  it('memory grows with the bytes that arrive, not with the size announced: 8 peers announcing 16 MiB and sending 100 bytes hold under 8 MiB, not 128', async () => {
    const peers = 8
    const { exchange, remotes } = await requester({ maxManifestSize: 16 * MiB, firstByteTimeout: 10_000, timeout: 20_000 })
    const abort = new AbortController()
    global.gc?.()
    const before = process.memoryUsage().arrayBuffers
    const fetches = Array.from({ length: peers }, async () => await exchange.fetch(PEER, CID, { signal: abort.signal }))
    await until(() => remotes.length === peers)
    for (const remote of remotes) remote.send(Uint8Array.from([...okResponse(16 * MiB), ...chunk(new Uint8Array(100))]))
    // every peer's Response and first chunk is in
    await new Promise(resolve => setTimeout(resolve, 300))
    const grown = process.memoryUsage().arrayBuffers - before
    abort.abort()
    await Promise.allSettled(fetches)
    const figure = `ArrayBuffers grew by ${(grown / MiB).toFixed(1)} MiB for ${peers} announced 16 MiB manifests`
    if (process.env.SHOAL_FIGURES !== undefined) process.stdout.write(`      ${figure}\n`)
    assert.ok(grown < peers * MiB, figure)
  })
})
