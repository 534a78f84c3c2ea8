import { randomBytes } from 'node:crypto'
import { contentIdOf } from '../../../src/core/content-id.js'
import { Manifest as ManifestCodec } from '../../../src/core/pb/manifest.js'
import type { ManifestBehaviour } from './base.js'
import type { CID } from 'multiformats/cid'

/** Answers every manifest request with NOT_FOUND (a peer that speaks pieces only). */
export function manifestNotFound (): ManifestBehaviour {
  return () => ({ notFound: true })
}

/**
 * The manifest forger: answers OK with `size` random bytes, which cannot hash to the asked
 * content id. The node must refuse them, ban the forger and still get the real manifest
 * from an honest peer.
 */
export function manifestForger (size = 5000): ManifestBehaviour {
  return () => ({ bytes: randomBytes(size) })
}

/**
 * The silent manifest peer: takes the request and never answers, holding the stream open. The
 * node must give it up after the protocol's first-byte deadline, ask others meanwhile, and
 * ban it once it has stalled MANIFEST_SEARCH.maxStalls requests.
 */
export function manifestSilent (): ManifestBehaviour {
  return () => ({ silent: true })
}

/**
 * The manifest trickler: announces `size` bytes (16 MiB, the default cap, by default) and
 * sends `bytesPerSecond` a second. The node must not allocate what is announced, must give
 * it up once it falls under the protocol's minimum rate, and score it as a staller.
 */
export function manifestTrickler (options: { size?: number, bytesPerSecond?: number } = {}): ManifestBehaviour {
  return () => ({ trickle: { size: options.size ?? 16 * 1024 * 1024, bytesPerSecond: options.bytesPerSecond ?? 100 } })
}

/** Serves the same manifest bytes whatever is asked. */
export function servesManifest (bytes: Uint8Array): ManifestBehaviour {
  return () => ({ bytes })
}

/** Names a manifest may not carry: each would write outside the download folder, or nowhere sane. */
export const UNSAFE_NAMES: ReadonlyArray<{ what: string, name?: string, paths?: string[] }> = [
  { what: 'a parent-folder name', name: '..' },
  { what: 'a path climbing out', paths: ['../x'] },
  { what: 'a deep climb', paths: ['a/../../x'] },
  { what: 'an absolute path', paths: ['/etc/x'] },
  { what: 'an absolute name', name: '/etc/x' },
  { what: 'an empty component', paths: ['a//b'] },
  { what: 'an empty name', name: '' },
  { what: 'a "." component', paths: ['./x'] },
  { what: 'a NUL', paths: ['a\0b'] },
  { what: 'a 300-character name', paths: ['n'.repeat(300)] },
  { what: 'a backslash climb', paths: ['..\\x'] }
]

/**
 * An unsafe manifest whose hash IS its content id: the attacker encodes it with the raw
 * protobuf codec (Shoal's own encoder refuses it) and seeds it under that id. A single file
 * (`name`) or a folder of `paths`, one byte each, pieces of 16 KiB.
 */
export function unsafeManifest (unsafe: { name?: string, paths?: string[] }): { bytes: Uint8Array, contentId: CID } {
  const paths = unsafe.paths
  const name = unsafe.name ?? 'content'
  const files = paths === undefined ? [{ path: name, size: 1 }] : paths.map(path => ({ path, size: 1 }))
  const total = files.length
  const bytes = ManifestCodec.encode({
    version: 1,
    name,
    directory: paths !== undefined,
    pieceSize: 16 * 1024,
    files,
    pieceHashes: randomBytes(32 * Math.ceil(total / (16 * 1024))) as Uint8Array<ArrayBuffer>
  })
  return { bytes, contentId: contentIdOf(bytes) }
}
