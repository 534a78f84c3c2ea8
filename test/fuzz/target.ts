/**
 * What a fuzz target is, and the one way targets run a property: the short pass in
 * `npm test` (test/unit/fuzz) and the long one in `npm run fuzz` (run.ts) share them.
 */
import { streamPair } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import type { Stream } from '@libp2p/interface'

export interface FuzzRun {
  /** Inputs generated and checked. */
  runs: number
  /** The seed, so a failure can be replayed with FUZZ_SEED. */
  seed: number
}

export interface FuzzTarget {
  /** Short and stable: printed in reports and used to pick targets (FUZZ_TARGETS). */
  readonly name: string
  /** What is fed in and what must hold. */
  readonly description: string
  /**
   * Check `runs` generated inputs. Resolves with what ran; rejects with fast-check's report
   * (the shrunk counterexample and the seed) on the first input that breaks the property.
   */
  run(runs: number, seed?: number): Promise<FuzzRun>
  /** What the last run saw, when the target keeps count (e.g. HTTP statuses). */
  summary?(): string
}

/** Run a property for `runs` inputs; a failure becomes an Error whose message is fast-check's report. */
export async function check<T> (property: fc.IAsyncPropertyWithHooks<T> | fc.IPropertyWithHooks<T>, runs: number, seed?: number): Promise<FuzzRun> {
  const details = await fc.check(property as fc.IAsyncProperty<T>, { numRuns: runs, seed, endOnFailure: false })
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? `\n${details.errorInstance.name}: ${details.errorInstance.message}` : ''
    throw new FuzzFailure(`${clip(fc.defaultReportMessage(details) ?? 'property failed')}${clip(cause)}`)
  }
  return { runs: details.numRuns, seed: details.seed }
}

/** Counterexamples can be megabytes: keep reports readable. */
function clip (text: string, max = 3000): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`
}

export class FuzzFailure extends Error {
  static override name = 'FuzzFailure'
  constructor (message: string) {
    super(message)
    this.name = 'FuzzFailure'
  }
}

/**
 * Rethrow `err` unless it is one of the named errors an input may legitimately cause:
 * anything else (TypeError, RangeError, a plain Error) is a crash the fuzzer found.
 */
export function expectNamed (err: unknown, names: readonly string[], what: string): void {
  const name = (err as Error | undefined)?.name
  if (err instanceof Error && names.includes(err.name)) return
  throw new FuzzFailure(`${what} threw ${String(name)} (expected one of ${names.join(', ')}): ${(err as Error)?.message ?? String(err)}`)
}

/** Byte strings: mostly short, some up to `max`, biased to the edges fast-check likes. */
export function bytes (max = 4096): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: max }) }
  )
}

/** `valid` with a few bytes flipped, cut, or inserted: near-misses reach deeper than noise. */
export function mutated (valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'insert', 'set')), { maxLength: 4 }))
    .map(([input, edits]) => {
      let out = Uint8Array.from(input)
      for (const [where, value, kind] of edits) {
        const at = out.byteLength === 0 ? 0 : where % out.byteLength
        if (kind === 'cut') out = out.subarray(0, at)
        else if (kind === 'insert') out = Uint8Array.from([...out.subarray(0, at), value, ...out.subarray(at)])
        else if (out.byteLength > 0) out[at] = kind === 'flip' ? out[at] ^ (1 << (value % 8)) : value
      }
      return out
    })
}

/** Cut `data` into consecutive chunks at the given points (as a transport might deliver it). */
export function chunked (data: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map(c => data.byteLength === 0 ? 0 : c % (data.byteLength + 1)))].sort((a, b) => a - b)
  const out: Uint8Array[] = []
  let start = 0
  for (const point of [...points, data.byteLength]) {
    if (point > start) out.push(data.subarray(start, point))
    start = Math.max(start, point)
  }
  return out
}

/**
 * A stream pair for one input. @libp2p/utils numbers its mock connections as TCP ports, which
 * run out after 32 768 pairs; these get a fixed address, so a run can make millions.
 */
export async function fuzzStreamPair (): Promise<[Stream, Stream]> {
  const remoteAddr = multiaddr('/ip4/127.0.0.1/tcp/1')
  return await streamPair({ outboundConnection: { remoteAddr }, inboundConnection: { remoteAddr } } as Parameters<typeof streamPair>[0])
}
