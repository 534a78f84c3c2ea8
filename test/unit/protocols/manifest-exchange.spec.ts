/**
 * Manifest exchange as the requester, against a peer on a stream pair that answers with
 * chosen bytes: what the fuzzer found stays fixed.
 */
import assert from 'node:assert/strict'
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { streamPair } from '@libp2p/utils'
import * as varint from 'uint8-varint'
import { ManifestExchangeClass } from '../../../protocols/manifest-exchange/manifest-exchange.js'
import { Chunk, Response, Status } from '../../../protocols/manifest-exchange/pb/manifest-exchange.js'
import { contentIdOf } from '../../../src/core/content-id.js'
import { isNamedError } from '../fixtures.js'

const MANIFEST = new TextEncoder().encode('manifest bytes')
const CID = contentIdOf(MANIFEST)
const PEER = peerIdFromString('12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo')
const frame = (bytes: Uint8Array): Uint8Array => Uint8Array.from([...varint.encode(bytes.byteLength), ...bytes])

/** Fetch CID from a peer that answers `answer` (whatever we ask) and then closes. */
async function fetchFrom (answer: Uint8Array[]): Promise<Uint8Array> {
  const [local, remote] = await streamPair()
  const components = {
    registrar: { handle: async () => {}, unhandle: async () => {} },
    connectionManager: { openStream: async () => local },
    logger: defaultLogger(),
    manifests: { manifestBytes: () => undefined }
  }
  const exchange = new ManifestExchangeClass(components as never, { maxManifestSize: 1024, timeout: 3000 })
  const fetched = exchange.fetch(PEER, CID)
  for (const part of answer) remote.send(part)
  await remote.close()
  return await fetched
}

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
