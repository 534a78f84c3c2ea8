/**
 * A short pass of every fuzz target (test/fuzz/targets): the same properties `npm run fuzz`
 * checks at length. A failure prints fast-check's shrunk counterexample and its seed; replay
 * it with FUZZ_SEED=<seed> FUZZ_TARGETS=<name> npm run fuzz.
 */
import { targets } from '../../fuzz/targets/index.js'

/** Inputs per target here; `npm run fuzz` runs 100 000. */
const SHORT_RUNS = Number(process.env.FUZZ_SHORT_RUNS ?? 2000)

describe('fuzz targets (short pass)', function () {
  this.timeout(60_000)
  for (const target of targets) {
    it(`${target.name}: ${SHORT_RUNS} inputs - ${target.description}`, async () => {
      await target.run(SHORT_RUNS)
    })
  }
})
