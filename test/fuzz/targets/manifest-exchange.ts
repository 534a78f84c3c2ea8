/**
 * Manifest exchange over a real stream pair, both roles: as the requester, a peer answers
 * with arbitrary or near-valid responses; as the responder, a peer sends arbitrary requests.
 * The requester resolves only to bytes that hash to the id, and otherwise rejects with a named
 * error; it never allocates more than its cap. The responder never throws out of its handler.
 */
import { defaultLogger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import fc from 'fast-check'
import * as varint from 'uint8-varint'
import { ManifestExchangeClass } from '../../../protocols/manifest-exchange/manifest-exchange.js'
import { Chunk, Request, Response, Status } from '../../../protocols/manifest-exchange/pb/manifest-exchange.js'
import { contentIdOf } from '../../../src/core/content-id.js'
import { FuzzFailure, bytes, check, chunked, fuzzStreamPair, expectNamed, mutated } from '../target.js'
import type { FuzzTarget } from '../target.js'
import type { Connection, Stream } from '@libp2p/interface'

const CAP = 4096
const MANIFEST = new TextEncoder().encode('a manifest the fuzzer knows')
const CID_OF_MANIFEST = contentIdOf(MANIFEST)
const PEER = peerIdFromString('12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo')
/** What a requester may fail with: ours, and the framing errors of libp2p's pbStream. */
const REQUESTER_ERRORS = ['ProtocolViolationError', 'UnknownContentError', 'ManifestMismatchError', 'PeerStalledError', 'TimeoutError', 'UnexpectedEOFError', 'InvalidDataLengthError', 'InvalidDataLengthLengthError', 'InvalidMessageError', 'StreamResetError', 'StreamStateError', 'AbortError']

const frame = (bytes: Uint8Array): number[] => [...varint.encode(bytes.byteLength), ...bytes]

/** Responses as a peer could send them: honest, lying about the size, or cut, then noise. */
const response = fc.record({
  status: fc.integer({ min: 0, max: 1 }),
  size: fc.oneof(fc.constant(MANIFEST.byteLength), fc.nat({ max: CAP * 2 }), fc.nat({ max: 0xffffffff })),
  chunks: fc.array(fc.oneof(fc.constant(MANIFEST), bytes(300), fc.constant(new Uint8Array(0))), { maxLength: 4 }),
  tail: fc.option(bytes(100))
}).map(r => Uint8Array.from([
  ...frame(Response.encode({ status: r.status === 0 ? Status.OK : Status.NOT_FOUND, size: r.size })),
  ...r.chunks.flatMap(c => frame(Chunk.encode({ data: c as Uint8Array<ArrayBuffer> }))),
  ...(r.tail ?? [])
]))

function exchange (stream: Stream): { service: ManifestExchangeClass, handler: () => ((s: Stream, c: Connection) => Promise<void>) | undefined } {
  let handler: ((s: Stream, c: Connection) => Promise<void>) | undefined
  const components = {
    registrar: { handle: async (_p: string, h: typeof handler) => { handler = h }, unhandle: async () => {} },
    connectionManager: { getConnections: () => [], openStream: async () => stream },
    logger: defaultLogger(),
    trading: { manifestBytes: (cid: { equals(o: unknown): boolean }) => cid.equals(CID_OF_MANIFEST) ? MANIFEST : undefined }
  }
  const service = new ManifestExchangeClass(components as never, { maxManifestSize: CAP, timeout: 3000 })
  return { service, handler: () => handler }
}

async function asRequester (data: Uint8Array, cuts: number[]): Promise<void> {
  const [local, remote] = await fuzzStreamPair()
  const { service } = exchange(local)
  remote.addEventListener('message', () => {}) // the request is read and ignored
  const fetched = service.fetch(PEER, CID_OF_MANIFEST)
  for (const chunk of chunked(data, cuts)) remote.send(chunk)
  await remote.close().catch(() => {})
  try {
    const bytes = await fetched
    if (!Buffer.from(bytes).equals(MANIFEST)) throw new FuzzFailure('fetch resolved to bytes that are not the manifest')
  } catch (err) {
    if (err instanceof FuzzFailure) throw err
    expectNamed(err, REQUESTER_ERRORS, 'fetch')
  } finally {
    remote.abort(new Error('done'))
  }
}

async function asResponder (data: Uint8Array, cuts: number[]): Promise<void> {
  const [local, remote] = await fuzzStreamPair()
  const { service, handler } = exchange(local)
  await service.start()
  const handle = handler()
  if (handle === undefined) throw new FuzzFailure('no handler registered')
  const served = handle(local, { remotePeer: PEER } as unknown as Connection)
  for (const chunk of chunked(data, cuts)) remote.send(chunk)
  await remote.close().catch(() => {})
  // the handler catches its own failures and resets the stream: it must never reject
  await served
  remote.abort(new Error('done'))
}

const request = fc.oneof(
  fc.constant(Uint8Array.from(frame(Request.encode({ contentId: CID_OF_MANIFEST.bytes as Uint8Array<ArrayBuffer> })))),
  bytes(40).map(b => Uint8Array.from(frame(Request.encode({ contentId: b as Uint8Array<ArrayBuffer> })))),
  bytes(2000)
)

export const manifestExchangeTarget: FuzzTarget = {
  name: 'manifest exchange',
  description: 'fetch against arbitrary responses, serve against arbitrary requests, over a stream pair',
  run: async (runs, seed) => await check(fc.asyncProperty(
    fc.oneof(
      fc.record({ role: fc.constant('requester' as const), data: fc.oneof(response, mutated(response), bytes()) }),
      fc.record({ role: fc.constant('responder' as const), data: fc.oneof(request, mutated(request)) })
    ),
    fc.array(fc.nat(), { maxLength: 4 }),
    async ({ role, data }, cuts) => {
      if (role === 'requester') await asRequester(data, cuts)
      else await asResponder(data, cuts)
    }
  ), runs, seed)
}
