import { randomBytes } from 'node:crypto'
import { contentIdOf } from '../../../src/core/content-id.js'
import { MANIFEST_LIMITS } from '../../../src/core/manifest-limits.js'
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

/** Names that differ for the manifest check but are one file on APFS and NTFS. */
export const COLLIDING_NAMES: ReadonlyArray<{ what: string, paths: string[] }> = [
  { what: 'two cases of one name', paths: ['A', 'a'] },
  { what: 'NFC and NFD spellings of é', paths: ['caf\u00e9', 'cafe\u0301'] },
  { what: 'folders in two cases', paths: ['Docs/x', 'docs/y'] },
  { what: 'the Kelvin sign and k', paths: ['\u212a', 'k'] }
]

/**
 * Manifests of at most `maxBytes` (by default the 16 MiB `limits.maxManifestSize`) built to
 * cost as much as the manifest rules could let them: every one hashes to its content id.
 */
export function expensiveManifests (maxBytes = 16 * 1024 * 1024): Array<{ what: string, bytes: Uint8Array, contentId: CID }> {
  const make = (what: string, paths: Iterable<string>): { what: string, bytes: Uint8Array, contentId: CID } => {
    const files: Array<{ path: string, size: number }> = []
    let bytes = 0
    for (const path of paths) {
      bytes += path.length + 8
      if (bytes > maxBytes - 1024) break
      files.push({ path, size: 0 })
    }
    const encoded = ManifestCodec.encode({ version: 1, name: 'content', directory: true, pieceSize: 16 * 1024, files, pieceHashes: new Uint8Array(0) })
    return { what, bytes: encoded, contentId: contentIdOf(encoded) }
  }
  const numbered = function * (path: (i: number) => string): Iterable<string> {
    for (let i = 0; ; i++) yield path(i)
  }
  const component = (i: number, length: number): string => String(i).padStart(length, '0')
  return [
    // 64 levels of 62-character folders, each path its own chain: every prefix is distinct
    { ...make('deep paths, every prefix distinct', numbered(i => Array.from({ length: 64 }, (_, d) => component(i * 64 + d, 62)).join('/'))) },
    // 64 levels of 62-character folders shared by every file: few folders, long paths
    { ...make('deep paths, one shared folder chain', numbered(i => [...Array.from({ length: 63 }, (_, d) => component(d, 62)), component(i, 62)].join('/'))) },
    // as many zero-byte files as the bytes hold (about 1.4 million)
    { ...make('zero-byte files by the million', numbered(i => component(i, 4))) },
    // one file per folder, as many files as allowed: as many folders as files
    { ...make('a folder for every file', firstN(MANIFEST_LIMITS.maxFiles, i => `${component(i, 7)}/f`)) },
    // the most files the rules allow, with the longest names that fit the bytes: accepted
    { ...make('the most files allowed, long names', firstN(MANIFEST_LIMITS.maxFiles, i => component(i, Math.min(255, Math.floor(maxBytes / MANIFEST_LIMITS.maxFiles) - 12)))) }
  ]
}

function firstN (n: number, path: (i: number) => string): string[] {
  return Array.from({ length: n }, (_, i) => path(i))
}
